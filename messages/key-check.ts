/**
 * The API/worker server-key check. Every OTP and request digest is an HMAC under the
 * server key (SERVER_HMAC_KEY, or DATA_DIR/keys), computed by the API on one side and by
 * the worker on the other: if the two were started with different keys, every verify
 * would fail with a wrong-code answer. The API's /readyz runs this check instead, once
 * per API process, and answers 503 naming the mismatch.
 */
export const KEY_CHECK_WORKFLOW = 'ServerKeyCheck';

export interface KeyCheckInput {
  /** Random per API process: the fingerprint is of a fresh label, never a fixed one. */
  nonce: string;
}

/** The label both sides HMAC; neither the key nor anything derived from a user goes in. */
export const keyCheckLabel = (nonce: string): string => `ibmb-key-check:${nonce}`;

export const keyCheckWorkflowId = (nonce: string): string => `key-check-${nonce}`;

/**
 * Signed webhooks (Standard Webhooks, https://www.standardwebhooks.com) to the channel
 * backend and linked systems, with a JSON-lines outbox as the embedded default.
 */

/** One logical event. `id` is stable across retries: receivers de-duplicate on it. */
export interface WebhookMessage {
  id: string;
  /** Dotted event name, e.g. `ib-user.created`. */
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Where a message goes. An empty `url` means "no endpoint configured": the message is
 * written to the outbox under this target's name instead of being posted.
 */
export interface WebhookTarget {
  /** Stable identifier of the receiving system (e.g. `channel`, `otp-gateway`). */
  name: string;
  url: string;
  /** `whsec_<base64>` (Standard Webhooks) or raw text. */
  secret: string;
}

export interface WebhookDelivery {
  delivered: 'http' | 'outbox';
  /** HTTP status of the accepted attempt. */
  status?: number;
  /** The receiver (409) or the outbox already had this message. */
  duplicate?: boolean;
}

/**
 * Delivers webhooks. Throws BusinessError('WEBHOOK_REJECTED') when the receiver refuses
 * the message for good, TransientError for anything worth retrying (adapters/errors).
 */
export interface WebhookSender {
  send(target: WebhookTarget | null, msg: WebhookMessage): Promise<WebhookDelivery>;
}

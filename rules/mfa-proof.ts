import {
  REFUSAL_BY_STATUS,
  type MfaBinding,
  type MfaCode,
  type MfaPurpose,
  type MfaStatus,
} from '../messages/mfa';
import { constantTimeEqual } from './constant-time';

/**
 * The rules of a challenge's use, written once: the workflow enforces them in its
 * validators (state.ts), and the API calls them to refuse a proof before it starts a
 * process that would fail on it (api/mfa/proofs.ts). Pure: no SDK calls.
 */
export interface ChallengeFacts {
  status: MfaStatus;
  purpose: MfaPurpose;
  userId?: string | null;
  /** Digests of the phones the code went to; only the workflow knows them. */
  phoneDigests?: readonly string[];
}

/**
 * Whether the challenge is not what the caller expects. `strictUser`: a user-bound
 * challenge is only for that user (consume); otherwise an absent userId means "any".
 */
export function bindingMismatch(facts: ChallengeFacts, expect: MfaBinding, strictUser: boolean): boolean {
  if (expect.purpose !== facts.purpose) return true;
  const userChecked = strictUser || expect.userId !== undefined;
  if (userChecked && (expect.userId ?? null) !== (facts.userId ?? null)) return true;
  if (expect.phoneDigest !== undefined) {
    const digest = expect.phoneDigest;
    if (!(facts.phoneDigests ?? []).some((p) => constantTimeEqual(p, digest))) return true;
  }
  return false;
}

/** Why the challenge cannot be consumed as the proof `expect` names, or null: single use, verified, bound. */
export function consumeRefusalCode(
  facts: ChallengeFacts,
  expect: MfaBinding,
): Extract<MfaCode, 'ALREADY_CONSUMED' | 'CHALLENGE_NOT_VERIFIED' | 'CHALLENGE_MISMATCH'> | null {
  if (facts.status === 'CONSUMED') return 'ALREADY_CONSUMED';
  if (facts.status !== 'VERIFIED') return 'CHALLENGE_NOT_VERIFIED';
  return bindingMismatch(facts, expect, true) ? 'CHALLENGE_MISMATCH' : null;
}

/**
 * Why a challenge in `status` refuses a code or a resend; null while PENDING. A run that
 * has ended while PENDING expired (the API reads that from the final state).
 */
export function statusRefusalCode(status: MfaStatus): MfaCode | null {
  return status === 'PENDING' ? null : REFUSAL_BY_STATUS[status];
}

/**
 * Quota activity signatures as workflows see them (re-exported by activities/types.ts):
 * a send or an identity check spends one unit of a rolling-window budget entity.
 */
import type { DestinationQuotaPolicy, QuotaBudget } from '../messages/mfa-quota';

export interface ReserveSendInput {
  /** Unique per send attempt of a challenge, so a retried reservation counts once. */
  ref: string;
  destinationDigests: string[];
  /** Absent in runs from before pre-login budgets: USER. */
  budget?: QuotaBudget;
}

export interface ReservedSend {
  reserved: number;
  /** Destinations over their quota: the send skips them (absent in older histories). */
  overQuota?: string[];
}

export interface QuotaActivities {
  /** Over-quota destinations are skipped; DESTINATION_RATE_LIMITED when every one is. */
  reserveDestinationSend(input: ReserveSendInput): Promise<ReservedSend>;
  /** IDENTITY_ATTEMPTS_EXCEEDED (retryAfterSeconds) when the identity's budget is spent. */
  reserveIdentityAttempt(input: {
    identityDigest: string;
    ref: string;
    policy: DestinationQuotaPolicy;
  }): Promise<{ reserved: true }>;
}

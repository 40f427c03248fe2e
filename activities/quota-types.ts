/**
 * What quota activities take and answer (re-exported by activities/types.ts):
 * a send or an identity check spends one unit of a rolling-window budget entity.
 */
import type { QuotaBudget } from '../messages/mfa-quota';

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

export type { QuotaActivities } from './quotas';

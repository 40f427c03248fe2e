import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The contract of the per-destination send quota: one entity workflow per destination
 * digest, shared by every challenge sent there.
 */
export const MFA_QUOTA_WORKFLOW = 'MfaDestinationQuota';

export interface DestinationQuotaPolicy {
  maxPerWindow: number;
  windowMinutes: number;
  maxPerDay: number;
}

/** One reserved send: when (quota workflow time, ms) and for which reservation. */
export interface QuotaSend {
  at: number;
  ref: string;
}

export interface DestinationQuotaInput {
  sends: QuotaSend[];
  /** Continue-as-new once history passes this many events (tests set it low). */
  continueAsNewAfterEvents?: number;
}

export interface ReserveSendArgs {
  /** Unique per send attempt: a retried reservation with the same ref counts once. */
  ref: string;
  policy: DestinationQuotaPolicy;
  /**
   * The task queue quota runs belong on (the entity queue). A run started elsewhere (before
   * the entity queue existed) continues as new there, not where it started.
   */
  taskQueue?: string;
}

export interface ReserveSendResult {
  reserved: true;
  sendsInWindow: number;
  sendsToday: number;
  /**
   * This send filled the quota: the next is refused for this long (as a refusal's
   * retryAfterSeconds), so a caller can stop asking at once. Absent: room is left (or a run
   * from before it was added answered).
   */
  fullForSeconds?: number;
}

export interface QuotaState {
  sendsInLastDay: number;
  lastSendAt: string | null;
}

/** Rejected by its validator (DESTINATION_RATE_LIMITED, no history) when over quota. */
export const reserveSendUpdate = defineUpdate<ReserveSendResult, [ReserveSendArgs]>('reserveSend');
export const quotaStateQuery = defineQuery<QuotaState>('quotaState');

/**
 * Whose sends a destination quota counts. Pre-login codes (a challenge bound to no user:
 * anyone can ask for them with a typed number) have a budget of their own, so a stranger
 * pumping codes to a victim's number never spends the codes the victim needs to log in.
 */
export type QuotaBudget = 'USER' | 'PRELOGIN';

/** The quota's workflow id: the destination only as a keyed digest (no PII in ids). */
export const quotaWorkflowId = (destinationDigest: string, budget: QuotaBudget = 'USER'): string =>
  budget === 'USER' ? `mfa-quota-${destinationDigest}` : `mfa-quota-prelogin-${destinationDigest}`;

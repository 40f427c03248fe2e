import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The contract of the per-user OTP lockout: one entity workflow per IB/MB user, holding
 * the wrong codes in a row across all of that user's challenges and, once too many, the
 * time the lock ends. Challenges reach it through activities (activities/mfa-user-lock.ts).
 */
export const MFA_USER_LOCK_WORKFLOW = 'MfaUserOtpLock';

export interface UserOtpLockPolicy {
  /** Wrong codes in a row (any challenge of the user) that lock the user's codes. */
  maxConsecutiveFailures: number;
  lockMinutes: number;
}

/** What the run carries over continue-as-new. Times are entity workflow time, ms. */
export interface UserOtpLockSnapshot {
  consecutiveFailures: number;
  lastFailureAt: number | null;
  lockedUntil: number | null;
  /** Refs of the latest attempts: a retried record is answered again, not counted again. */
  recentRefs: string[];
}

export interface UserOtpLockInput {
  state?: UserOtpLockSnapshot;
  /** Continue-as-new once history passes this many events (tests set it low). */
  continueAsNewAfterEvents?: number;
}

export interface RecordAttemptArgs {
  /** Unique per verify of a challenge (`{processId}.verify-{n}`). */
  ref: string;
  policy: UserOtpLockPolicy;
}

/** The user's lock as challenges see it; lockedUntil is ISO-8601, null when not locked. */
export interface UserOtpLockView {
  consecutiveFailures: number;
  lockedUntil: string | null;
}

/**
 * Both are rejected by their validator (USER_OTP_LOCKED with retryAfterSeconds, no
 * history) while the user is locked, whether the code was right or not.
 */
export const recordFailureUpdate = defineUpdate<UserOtpLockView, [RecordAttemptArgs]>('recordFailure');
export const recordSuccessUpdate = defineUpdate<UserOtpLockView, [RecordAttemptArgs]>('recordSuccess');
export const userOtpLockQuery = defineQuery<UserOtpLockView>('userOtpLock');

/**
 * One key per user whatever the case a caller spelt its id in (a core banking that compares
 * ids case-insensitively must not give one user two lockout counters, nor two budgets).
 */
export const userKey = (userId: string): string => userId.toUpperCase();

/** userIds are core-banking ids (no PII): the entity is addressable by them (as userKey). */
export const userLockWorkflowId = (userId: string): string => `mfa-user-${userId}`;

/**
 * The lock that counts wrong codes typed through concealed challenges (a pre-login caller
 * naming a user it is not bound to): an entity of its own per user AND per pre-login
 * caller (`callerDigest`: its token subject and client network, as a keyed digest), so such
 * a caller can never lock the user out of the codes its own channels ask for (LOGIN,
 * STEP_UP, …), nor out of concealed codes another caller (the user's own app, from its own
 * network) asks for. Without a digest (a challenge started before callers had one): the
 * user's single pre-login lock.
 */
export const preloginLockKey = (userId: string, callerDigest?: string): string =>
  callerDigest === undefined ? `${userId}|prelogin` : `${userId}|prelogin|${callerDigest}`;

import type { MfaUserLockActivities } from '../../activities/mfa-user-lock';

/**
 * The per-user OTP lock activities for workflow tests whose subject is something else:
 * the user is never locked (test/workflows/mfa-user-lock.test.ts runs the real entity).
 */
export const neverLockedUser: MfaUserLockActivities = {
  checkUserOtpLock: async () => ({ consecutiveFailures: 0, lockedUntil: null }),
  recordUserOtpAttempt: async () => ({ consecutiveFailures: 0, lockedUntil: null }),
};

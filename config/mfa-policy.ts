import { DEFAULT_CONSUME_WINDOW_SECONDS, type MfaPolicy } from '../messages/mfa';
import type { DestinationQuotaPolicy } from '../messages/mfa-quota';
import type { UserOtpLockPolicy } from '../messages/mfa-user-lock';
import type { Config } from './index';

/** The challenge policy the API puts in each MfaChallenge input (fixed per challenge). */
export function mfaPolicy(config: Config): MfaPolicy {
  return {
    codeLength: config.MFA_CODE_LENGTH,
    ttlSeconds: config.MFA_OTP_TTL_SECONDS,
    maxVerifyAttempts: config.MFA_MAX_VERIFY_ATTEMPTS,
    maxResends: config.MFA_MAX_RESENDS,
    resendCooldownSeconds: config.MFA_RESEND_COOLDOWN_SECONDS,
    consumeWindowSeconds: DEFAULT_CONSUME_WINDOW_SECONDS,
  };
}

/** The per-destination quota the worker reserves sends against. */
export function destinationQuotaPolicy(config: Config): DestinationQuotaPolicy {
  return {
    maxPerWindow: config.MFA_DESTINATION_MAX_PER_WINDOW,
    windowMinutes: config.MFA_DESTINATION_WINDOW_MINUTES,
    maxPerDay: config.MFA_DESTINATION_MAX_PER_DAY,
  };
}

/**
 * The caps of a budget of `limit` spread over at most `shards` quota workflows: they sum to
 * exactly `limit` (some one more than others), and there are never more shards than sends,
 * so a small budget is one entity. A busy caller (a mobile app's client id carries all its
 * users' traffic) is never a single entity's serialized Updates (api/mfa/caller-quota.ts).
 */
export function shardCaps(limit: number, shards: number): number[] {
  const n = Math.max(1, Math.min(shards, limit));
  return Array.from({ length: n }, (_, i) => Math.floor(limit / n) + (i < limit % n ? 1 : 0));
}

/** Codes one user may have sent to destinations not on file (its caller names them). */
export function userNewDestinationPolicy(config: Config): DestinationQuotaPolicy {
  return {
    maxPerWindow: config.MFA_USER_NEW_DESTINATION_MAX_PER_HOUR,
    windowMinutes: 60,
    maxPerDay: config.MFA_USER_NEW_DESTINATION_MAX_PER_DAY,
  };
}

/** The per-user OTP lockout the worker records verifies against. */
export function userOtpLockPolicy(config: Config): UserOtpLockPolicy {
  return {
    maxConsecutiveFailures: config.MFA_USER_MAX_CONSECUTIVE_FAILURES,
    lockMinutes: config.MFA_USER_LOCK_MINUTES,
  };
}

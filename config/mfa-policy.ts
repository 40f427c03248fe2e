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
 * One shard's share of a pre-login caller's hourly budget. A caller's sends are spread over
 * MFA_PRELOGIN_CALLER_SHARDS quota workflows, so one busy caller (a mobile app's client id
 * carries all its users' traffic) is never a single entity's serialized Updates; the limit
 * holds to within one send per shard.
 */
export function callerQuotaPolicy(config: Config): DestinationQuotaPolicy {
  const perShard = Math.ceil(config.MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR / config.MFA_PRELOGIN_CALLER_SHARDS);
  return { maxPerWindow: perShard, windowMinutes: 60, maxPerDay: perShard * 24 };
}

/** The per-user OTP lockout the worker records verifies against. */
export function userOtpLockPolicy(config: Config): UserOtpLockPolicy {
  return {
    maxConsecutiveFailures: config.MFA_USER_MAX_CONSECUTIVE_FAILURES,
    lockMinutes: config.MFA_USER_LOCK_MINUTES,
  };
}

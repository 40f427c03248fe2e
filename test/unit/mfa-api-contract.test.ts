import { loadConfig } from '../../config';
import { mfaPolicy, destinationQuotaPolicy, userOtpLockPolicy } from '../../config/mfa-policy';
import { infinityError } from '../../api/mfa/infinity';
import { toProblem } from '../../api/http/to-problem';
import { Refusal, type RefusalCode } from '../../clients/refusal';
import { problemBody } from '../../api/http/problem';
import { createChallengeRequest } from '../../api/mfa/schema';
import { infinityRequestOtp } from '../../api/mfa/infinity-schema';

/** An MFA client's refusal as the API answers it. */
const mfaProblem = (code: RefusalCode, message?: string, details?: Record<string, unknown>) =>
  toProblem(new Refusal(code, message, details));

describe('MFA configuration', () => {
  it('has the docs/design.md MFA policy defaults', () => {
    const config = loadConfig({});
    expect(mfaPolicy(config)).toEqual({
      codeLength: 6,
      ttlSeconds: 300,
      maxVerifyAttempts: 5,
      maxResends: 3,
      resendCooldownSeconds: 30,
      consumeWindowSeconds: 900,
    });
    expect(destinationQuotaPolicy(config)).toEqual({ maxPerWindow: 5, windowMinutes: 10, maxPerDay: 50 });
    expect(userOtpLockPolicy(config)).toEqual({ maxConsecutiveFailures: 10, lockMinutes: 30 });
  });

  it('reads the per-user lockout and refuses a lockout that never locks or never lasts', () => {
    const config = loadConfig({ MFA_USER_MAX_CONSECUTIVE_FAILURES: '3', MFA_USER_LOCK_MINUTES: '5' });
    expect(userOtpLockPolicy(config)).toEqual({ maxConsecutiveFailures: 3, lockMinutes: 5 });
    expect(() => loadConfig({ MFA_USER_MAX_CONSECUTIVE_FAILURES: '0' })).toThrow(
      /MFA_USER_MAX_CONSECUTIVE_FAILURES/,
    );
    expect(() => loadConfig({ MFA_USER_LOCK_MINUTES: '0' })).toThrow(/MFA_USER_LOCK_MINUTES/);
  });

  it('refuses a validity over 10 minutes and code lengths outside 6–10', () => {
    expect(() => loadConfig({ MFA_OTP_TTL_SECONDS: '601' })).toThrow(/MFA_OTP_TTL_SECONDS/);
    expect(() => loadConfig({ MFA_CODE_LENGTH: '3' })).toThrow(/MFA_CODE_LENGTH/);
    expect(() => loadConfig({ MFA_CODE_LENGTH: '5' })).toThrow(/MFA_CODE_LENGTH/);
    expect(() => loadConfig({ MFA_CODE_LENGTH: '11' })).toThrow(/MFA_CODE_LENGTH/);
    expect(loadConfig({ MFA_OTP_TTL_SECONDS: '600', MFA_CODE_LENGTH: '10' })).toMatchObject({
      MFA_OTP_TTL_SECONDS: 600,
      MFA_CODE_LENGTH: 10,
    });
  });
});

describe('POST /mfa/challenges body', () => {
  const ok = (body: unknown) => createChallengeRequest.safeParse(body).success;
  it('binds each purpose to its destinations', () => {
    expect(ok({ purpose: 'ONBOARDING', phone: '+254700100001' })).toBe(true);
    expect(ok({ purpose: 'ONBOARDING', email: 'a@example.com' })).toBe(true);
    expect(ok({ purpose: 'ONBOARDING', userId: 'IBU1' })).toBe(true);
    expect(ok({ purpose: 'ONBOARDING' })).toBe(false);
    expect(ok({ purpose: 'LOGIN', userId: 'IBU1' })).toBe(true);
    expect(ok({ purpose: 'LOGIN', phone: '+254700100001' })).toBe(false);
    expect(ok({ purpose: 'LOGIN', userId: 'IBU1', phone: '+254700100001' })).toBe(false);
    expect(ok({ purpose: 'UPDATE_SECURITY_QUESTIONS' })).toBe(false);
    expect(ok({ purpose: 'UPDATE_PHONE', userId: 'IBU1', phone: '+254700100009' })).toBe(true);
    expect(ok({ purpose: 'UPDATE_PHONE', phone: '+254700100009' })).toBe(false);
    expect(ok({ purpose: 'UPDATE_PHONE', userId: 'IBU1' })).toBe(false);
    expect(ok({ purpose: 'PAYMENT', phone: '+254700100001' })).toBe(false);
    expect(ok({ purpose: 'ONBOARDING', phone: '0700100001' })).toBe(false);
    expect(ok({ purpose: 'ONBOARDING', phone: '+254700100001', extra: 1 })).toBe(false);
  });
});

describe('Infinity shapes', () => {
  it('reads MFAAttributes given as an object or as a JSON string, and a phone without +', () => {
    const parsed = infinityRequestOtp.parse({
      Phone: '254700100001',
      MFAAttributes: JSON.stringify({ serviceKey: 'k', OTP: { securityKey: 's' } }),
      appId: 'RetailBanking',
    });
    expect(parsed).toMatchObject({
      Phone: '+254700100001',
      MFAAttributes: { serviceKey: 'k', OTP: { securityKey: 's' } },
    });
  });

  it('maps refusals to dbpErrCode with the native HTTP status, attempts left and no problem+json keys', () => {
    const wrong = infinityError(
      mfaProblem('OTP_INVALID', 'The code is not correct; 3 attempt(s) left.', {
        status: 'PENDING',
        remainingVerifyAttempts: 3,
        expiresAt: '2026-01-01T10:05:00.000Z',
      }),
    );
    expect(wrong).toEqual({
      dbpErrCode: '10581',
      dbpErrMsg: 'The code is not correct; 3 attempt(s) left.',
      opstatus: '10581',
      httpStatusCode: '422',
      MFAAttributes: {
        status: 'PENDING',
        expiresAt: '2026-01-01T10:05:00.000Z',
        remainingFailedAttempts: '3',
        remainingVerifyAttempts: '3',
      },
    });
    expect(infinityError(mfaProblem('OTP_EXPIRED')).dbpErrCode).toBe('10580');
    expect(infinityError(mfaProblem('SECURITY_KEY_INVALID')).dbpErrCode).toBe('10582');
    expect(infinityError(mfaProblem('MAX_ATTEMPTS_EXCEEDED')).dbpErrCode).toBe('10583');
    expect(infinityError(mfaProblem('RESEND_LIMIT_REACHED')).dbpErrCode).toBe('10573');
  });

  it('keeps the HTTP status of problem+json intact: the challenge status is challengeStatus', () => {
    const p = mfaProblem('RESEND_TOO_SOON', undefined, { status: 'PENDING', retryAfterSeconds: 12 });
    expect(p.headers).toEqual({ 'Retry-After': '12' });
    expect(problemBody(p)).toMatchObject({ status: 429, challengeStatus: 'PENDING', retryAfterSeconds: 12 });
  });

  it('answers a locked user 423 USER_OTP_LOCKED with Retry-After, natively and as Infinity 10589', () => {
    const p = mfaProblem('USER_OTP_LOCKED', undefined, {
      status: 'PENDING',
      retryAfterSeconds: 1800,
      lockedUntil: '2026-01-01T10:30:00.000Z',
    });
    expect(p.headers).toEqual({ 'Retry-After': '1800' });
    expect(problemBody(p)).toMatchObject({
      status: 423,
      code: 'USER_OTP_LOCKED',
      retryAfterSeconds: 1800,
      lockedUntil: '2026-01-01T10:30:00.000Z',
    });
    expect(infinityError(p)).toMatchObject({
      dbpErrCode: '10589',
      httpStatusCode: '423',
      MFAAttributes: { status: 'PENDING', retryAfterSeconds: '1800' },
    });
  });
});

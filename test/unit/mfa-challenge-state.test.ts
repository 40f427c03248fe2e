import type { ResolvedDestinations } from '../../activities/mfa-proof-types';
import type { MfaChallengeInput } from '../../messages/mfa';
import {
  ChallengeState,
  choiceOffered,
  effectiveTtlSeconds,
  secondsUntil,
  selectionOf,
} from '../../workflows/mfa/state';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const S = 1000;
const input: MfaChallengeInput = {
  serviceKey: 'svc',
  purpose: 'UPDATE_PHONE',
  userId: 'IBU1',
  phone: '+254700100001',
  securityKeyDigest: 'k'.repeat(64),
  policy: {
    codeLength: 6,
    ttlSeconds: 300,
    maxVerifyAttempts: 3,
    maxResends: 2,
    resendCooldownSeconds: 30,
    consumeWindowSeconds: 900,
  },
};
const destinations: ResolvedDestinations = {
  phone: [{ masked: '+254••••••001', referenceId: 'ref1', digest: 'p'.repeat(64) }],
  email: [],
  sealed: 'sealed-destinations',
};
const key = { securityKeyDigest: 'k'.repeat(64) };

function pending(over: Partial<MfaChallengeInput> = {}) {
  const s = new ChallengeState({ ...input, ...over }, 'mfa-svc', T0);
  s.markSent(destinations, { codeDigest: 'c'.repeat(64), sealedCode: 'sealed-code', deliveries: [] }, T0);
  return s;
}

describe('MFA challenge policy', () => {
  it('caps validity at 10 minutes', () => {
    expect(effectiveTtlSeconds(300)).toBe(300);
    expect(effectiveTtlSeconds(3600)).toBe(600);
    expect(
      new ChallengeState({ ...input, policy: { ...input.policy, ttlSeconds: 7200 } }, 'p', T0).expiresAtMs,
    ).toBe(T0 + 600 * S);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(secondsUntil(T0 + 1500, T0)).toBe(2);
    expect(secondsUntil(T0, T0)).toBe(1);
  });

  it('states counters and times, and shows neither digests nor sealed blobs', () => {
    const view = pending().view(T0 + 10 * S);
    expect(view).toMatchObject({
      status: 'PENDING',
      expiresAt: '2026-01-01T10:05:00.000Z',
      remainingVerifyAttempts: 3,
      remainingResendAttempts: 2,
      maxResendRequestsAllowed: 2,
      resendAvailableAt: '2026-01-01T10:00:30.000Z',
      customerCommunication: { phone: [{ masked: '+254••••••001', referenceId: 'ref1' }], email: [] },
    });
    expect(JSON.stringify(view)).not.toMatch(/sealed|ccccc|ppppp|kkkkk/);
  });

  it('expires by the clock at exactly expiresAt, before the timer has run', () => {
    const s = pending();
    expect(s.verifyRefusal({ ...key, otpDigest: 'c'.repeat(64) }, T0 + 300 * S - 1)).toBeNull();
    expect(s.verifyRefusal({ ...key, otpDigest: 'c'.repeat(64) }, T0 + 300 * S)).toMatchObject({
      code: 'OTP_EXPIRED',
      details: { status: 'EXPIRED' },
    });
    expect(s.counters(T0 + 300 * S)).toMatchObject({ status: 'EXPIRED', resendAvailableAt: null });
  });

  it('checks the key before anything else and tells a wrong key nothing', () => {
    const s = pending();
    s.cancel();
    expect(s.verifyRefusal({ securityKeyDigest: 'x', otpDigest: 'c' }, T0)).toEqual({
      code: 'SECURITY_KEY_INVALID',
      message: expect.any(String),
      details: {},
    });
  });

  it('counts wrong codes and locks at the maximum', () => {
    const s = pending();
    expect(s.verify('w'.repeat(64), T0)).toMatchObject({
      code: 'OTP_INVALID',
      details: { remainingVerifyAttempts: 2 },
    });
    expect(s.verify('w'.repeat(64), T0)).toMatchObject({
      code: 'OTP_INVALID',
      details: { remainingVerifyAttempts: 1 },
    });
    expect(s.verify('w'.repeat(64), T0)).toMatchObject({
      code: 'MAX_ATTEMPTS_EXCEEDED',
      details: { status: 'LOCKED', remainingVerifyAttempts: 0 },
    });
    expect(s.verify('c'.repeat(64), T0)).toMatchObject({ code: 'MAX_ATTEMPTS_EXCEEDED' });
  });

  it('verifies the right digest', () => {
    const s = pending();
    expect(s.verify('c'.repeat(64), T0 + S)).toBeNull();
    expect(s.view(T0 + S)).toMatchObject({ status: 'VERIFIED', verifiedAt: '2026-01-01T10:00:01.000Z' });
    expect(s.verifyRefusal({ ...key, otpDigest: 'c' }, T0 + 2 * S)).toMatchObject({
      code: 'ALREADY_VERIFIED',
    });
  });

  it('spaces resends by the cooldown from each attempt and stops at the budget', () => {
    const s = pending();
    expect(s.resendRefusal(key, T0 + 10 * S)).toMatchObject({
      code: 'RESEND_TOO_SOON',
      details: { retryAfterSeconds: 20 },
    });
    expect(s.resendRefusal(key, T0 + 30 * S)).toBeNull();
    s.beginResend(T0 + 30 * S);
    // While one is going out, another is too soon even with no cooldown left.
    expect(s.resendRefusal(key, T0 + 70 * S)).toMatchObject({ code: 'RESEND_TOO_SOON' });
    s.endResend(true);
    expect(s.counters(T0 + 31 * S)).toMatchObject({
      remainingResendAttempts: 1,
      resendAvailableAt: '2026-01-01T10:01:00.000Z',
    });
    s.beginResend(T0 + 60 * S);
    s.endResend(false); // a failed send does not spend the budget
    expect(s.counters(T0 + 61 * S).remainingResendAttempts).toBe(1);
    s.beginResend(T0 + 90 * S);
    s.endResend(true);
    expect(s.resendRefusal(key, T0 + 200 * S)).toMatchObject({
      code: 'RESEND_LIMIT_REACHED',
      details: { remainingResendAttempts: 0, resendAvailableAt: null },
    });
  });

  it('offers no resend whose cooldown ends at or after the expiry', () => {
    const s = pending({ policy: { ...input.policy, ttlSeconds: 60, resendCooldownSeconds: 30 } });
    s.beginResend(T0 + 30 * S);
    s.endResend(true);
    expect(s.counters(T0 + 31 * S).resendAvailableAt).toBeNull();
    expect(s.resendRefusal(key, T0 + 59 * S)).toMatchObject({ code: 'OTP_EXPIRED' });
  });

  it('binds consumption to purpose, user and destination, once', () => {
    const s = pending();
    const consumer = { purpose: 'UPDATE_PHONE' as const, userId: 'IBU1', consumerProcessId: 'phone-1' };
    expect(s.consumeRefusal(consumer, T0)).toMatchObject({ code: 'CHALLENGE_NOT_VERIFIED' });
    s.verify('c'.repeat(64), T0);
    expect(s.consumeRefusal({ ...consumer, purpose: 'LOGIN' }, T0)).toMatchObject({
      code: 'CHALLENGE_MISMATCH',
    });
    expect(s.consumeRefusal({ ...consumer, userId: undefined }, T0)).toMatchObject({
      code: 'CHALLENGE_MISMATCH',
    });
    expect(s.consumeRefusal({ ...consumer, phoneDigest: 'q'.repeat(64) }, T0)).toMatchObject({
      code: 'CHALLENGE_MISMATCH',
    });
    expect(s.consumeRefusal({ ...consumer, phoneDigest: 'p'.repeat(64) }, T0)).toBeNull();
    s.consume('phone-1', T0);
    expect(s.consumeRefusal(consumer, T0)).toMatchObject({ code: 'ALREADY_CONSUMED' });
  });

  it('lets an expectation without a user match any user (verify), not consume', () => {
    const s = pending();
    expect(s.verifyRefusal({ ...key, otpDigest: 'c', expect: { purpose: 'UPDATE_PHONE' } }, T0)).toBeNull();
    expect(s.verifyRefusal({ ...key, otpDigest: 'c', expect: { purpose: 'LOGIN' } }, T0)).toMatchObject({
      code: 'CHALLENGE_MISMATCH',
    });
  });

  it('passes the send failure through to the create, with the counters', () => {
    const s = new ChallengeState(input, 'mfa-svc', T0);
    s.markFailed({ code: 'DESTINATION_RATE_LIMITED', message: 'over', details: { retryAfterSeconds: 42 } });
    expect(s.initialRefusal(T0)).toMatchObject({
      code: 'DESTINATION_RATE_LIMITED',
      details: { retryAfterSeconds: 42, status: 'FAILED' },
    });
    expect(s.view(T0).failureCode).toBe('DESTINATION_RATE_LIMITED');
  });

  describe('a concealed challenge (a caller not bound to its user)', () => {
    const concealed = { ...input, purpose: 'ONBOARDING' as const, phone: undefined, conceal: true };

    it('answers as a real one when nothing could be sent: PENDING, same counters, every code wrong', () => {
      const real = new ChallengeState(concealed, 'mfa-svc', T0);
      real.markSent(destinations, { codeDigest: 'c'.repeat(64), sealedCode: 'sealed', deliveries: [] }, T0);
      const decoy = new ChallengeState(concealed, 'mfa-svc', T0);
      decoy.markDecoy();
      expect(decoy.isDecoy()).toBe(true);
      expect(decoy.initialRefusal(T0)).toBeNull();
      expect(decoy.view(T0 + S)).toEqual(real.view(T0 + S));
      // Where a real code went is not shown either.
      expect(real.view(T0).customerCommunication).toEqual({ phone: [], email: [] });
      expect(decoy.codeMatches('c'.repeat(64))).toBe(false);
      const answers = (s: ChallengeState) =>
        [1, 2, 3, 4].map((i) => s.verify('w'.repeat(64), T0 + i * S)?.code ?? null);
      expect(answers(decoy)).toEqual(answers(real));
      expect(answers(new ChallengeState(concealed, 'x', T0))).toEqual([
        'OTP_NOT_SENT',
        'OTP_NOT_SENT',
        'OTP_NOT_SENT',
        'OTP_NOT_SENT',
      ]);
      expect(decoy.status).toBe('LOCKED');
    });

    it('fails an attempt whatever the code, counted as a wrong one', () => {
      const s = new ChallengeState(concealed, 'mfa-svc', T0);
      s.markSent(destinations, { codeDigest: 'c'.repeat(64), sealedCode: 'sealed', deliveries: [] }, T0);
      expect(s.failAttempt(T0)).toMatchObject({
        code: 'OTP_INVALID',
        details: { remainingVerifyAttempts: 2 },
      });
      expect(s.failAttempt(T0)?.code).toBe('OTP_INVALID');
      expect(s.failAttempt(T0)?.code).toBe('MAX_ATTEMPTS_EXCEEDED');
      expect(s.failAttempt(T0)?.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    });

    it('shows PENDING from creation, so a poll cannot tell a decoy from a code still going out', () => {
      const sending = new ChallengeState(concealed, 'mfa-svc', T0);
      const decoy = new ChallengeState(concealed, 'mfa-svc', T0);
      decoy.markDecoy();
      expect(sending.status).toBe('SENDING');
      expect(sending.view(T0 + S)).toEqual(decoy.view(T0 + S));
      expect(sending.view(T0 + S).status).toBe('PENDING');
      // Nor once it is out: the resend clock does not tell how long the send took.
      sending.markSent(
        destinations,
        { codeDigest: 'c'.repeat(64), sealedCode: 's', deliveries: [] },
        T0 + 2 * S,
      );
      expect(sending.view(T0 + 3 * S)).toEqual(decoy.view(T0 + 3 * S));
      // A bound caller's challenge says what it is doing.
      expect(new ChallengeState(input, 'mfa-svc', T0).view(T0).status).toBe('SENDING');
    });

    it('shows where the code went when the caller is bound', () => {
      expect(pending().view(T0).customerCommunication.phone).toHaveLength(1);
    });
  });

  describe('the channel choice (referenceIds) and offer, then send', () => {
    const both: ResolvedDestinations = {
      phone: [{ masked: '+254••••••001', referenceId: 'refP', digest: 'p'.repeat(64) }],
      email: [{ masked: 'a••@example.com', referenceId: 'refE', digest: 'e'.repeat(64) }],
      sealed: 'sealed-both',
    };
    const sent = { codeDigest: 'c'.repeat(64), sealedCode: 'sealed-code', deliveries: [] };

    it('sends to the contacts a choice names and skips the rest; no choice: all', () => {
      expect(selectionOf(both, undefined)).toEqual({ to: ['p'.repeat(64), 'e'.repeat(64)], skip: [] });
      expect(selectionOf(both, {})).toEqual({ to: ['p'.repeat(64), 'e'.repeat(64)], skip: [] });
      expect(selectionOf(both, { phone: 'refP' })).toEqual({ to: ['p'.repeat(64)], skip: ['e'.repeat(64)] });
      expect(selectionOf(both, { email: 'refE' })).toEqual({ to: ['e'.repeat(64)], skip: ['p'.repeat(64)] });
      expect(choiceOffered(both, { phone: 'refP', email: 'refE' })).toBe(true);
      expect(choiceOffered(both, { email: 'nope' })).toBe(false);
    });

    it('refuses a referenceId the challenge did not offer, before anything is sent', () => {
      const s = new ChallengeState(input, 'mfa-svc', T0);
      s.markSent(both, sent, T0);
      expect(s.resendRefusal({ ...key, choice: { phone: 'refE' } }, T0 + 31 * S)).toMatchObject({
        code: 'DESTINATION_NOT_ALLOWED',
      });
      expect(s.resendRefusal({ ...key, choice: { phone: 'refP' } }, T0 + 31 * S)).toBeNull();
    });

    it('says where the latest code went: sentTo follows the choice', () => {
      const s = new ChallengeState(input, 'mfa-svc', T0);
      s.markSent(both, sent, T0);
      expect(s.view(T0).sentTo).toEqual({ phone: ['refP'], email: ['refE'] });
      s.recordChoice({ email: 'refE' });
      expect(s.view(T0).sentTo).toEqual({ phone: [], email: ['refE'] });
      expect(s.view(T0).deliveryMode).toBe('SEND_AT_ONCE');
    });

    it('OFFERED: contacts shown, nothing to verify, the first send spends no resend, and it expires', () => {
      const s = new ChallengeState({ ...input, offerOnly: true }, 'mfa-svc', T0);
      s.markOffered(both);
      const view = s.view(T0);
      expect(view).toMatchObject({
        status: 'OFFERED',
        deliveryMode: 'OFFER_THEN_CHOOSE',
        sentTo: { phone: [], email: [] },
      });
      expect(view.customerCommunication.email).toHaveLength(1);
      expect(s.initialRefusal(T0)).toBeNull();
      expect(s.isSettled()).toBe(false);
      expect(s.verifyRefusal({ ...key, otpDigest: 'c'.repeat(64) }, T0)).toMatchObject({
        code: 'OTP_NOT_SENT',
      });
      // The choice right away: no cooldown, no resend spent.
      expect(s.resendRefusal({ ...key, choice: { phone: 'refP' } }, T0 + S)).toBeNull();
      s.beginResend(T0 + S);
      s.endResend(false);
      s.markSentAfterOffer(sent, T0 + S);
      s.recordChoice({ phone: 'refP' });
      expect(s.view(T0 + S)).toMatchObject({
        status: 'PENDING',
        remainingResendAttempts: 2,
        sentTo: { phone: ['refP'], email: [] },
      });

      const late = new ChallengeState({ ...input, offerOnly: true }, 'mfa-svc', T0);
      late.markOffered(both);
      expect(late.counters(T0 + 300 * S).status).toBe('EXPIRED');
      expect(late.expire()).toBe(true);
    });
  });
});

import {
  bindingMismatch,
  consumeRefusalCode,
  statusRefusalCode,
  type ChallengeFacts,
} from '../../rules/mfa-proof';

describe('MFA challenge rules (the workflow validators and the API pre-check call these)', () => {
  const verified: ChallengeFacts = {
    status: 'VERIFIED',
    purpose: 'UPDATE_PHONE',
    userId: 'u1',
    phoneDigests: ['d1'],
  };

  it('consumes only a verified challenge, once, for its purpose and user', () => {
    expect(consumeRefusalCode(verified, { purpose: 'UPDATE_PHONE', userId: 'u1' })).toBeNull();
    expect(
      consumeRefusalCode({ ...verified, status: 'CONSUMED' }, { purpose: 'UPDATE_PHONE', userId: 'u1' }),
    ).toBe('ALREADY_CONSUMED');
    for (const status of ['PENDING', 'SENDING', 'EXPIRED', 'LOCKED', 'CANCELLED', 'FAILED'] as const) {
      expect(consumeRefusalCode({ ...verified, status }, { purpose: 'UPDATE_PHONE', userId: 'u1' })).toBe(
        'CHALLENGE_NOT_VERIFIED',
      );
    }
    expect(consumeRefusalCode(verified, { purpose: 'STEP_UP', userId: 'u1' })).toBe('CHALLENGE_MISMATCH');
    expect(consumeRefusalCode(verified, { purpose: 'UPDATE_PHONE', userId: 'u2' })).toBe(
      'CHALLENGE_MISMATCH',
    );
  });

  it('binds strictly on consume: a user-bound challenge is not a proof for "no user"', () => {
    expect(bindingMismatch(verified, { purpose: 'UPDATE_PHONE' }, true)).toBe(true);
    expect(bindingMismatch(verified, { purpose: 'UPDATE_PHONE' }, false)).toBe(false);
  });

  it('checks the phone the code went to when the caller names one', () => {
    expect(bindingMismatch(verified, { purpose: 'UPDATE_PHONE', phoneDigest: 'd1' }, false)).toBe(false);
    expect(bindingMismatch(verified, { purpose: 'UPDATE_PHONE', phoneDigest: 'd2' }, false)).toBe(true);
    expect(
      bindingMismatch(
        { ...verified, phoneDigests: undefined },
        { purpose: 'UPDATE_PHONE', phoneDigest: 'd1' },
        false,
      ),
    ).toBe(true);
  });
});

describe('status refusals', () => {
  it('refuses nothing while PENDING and names why otherwise', () => {
    expect(statusRefusalCode('PENDING')).toBeNull();
    expect(statusRefusalCode('EXPIRED')).toBe('OTP_EXPIRED');
    expect(statusRefusalCode('LOCKED')).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect(statusRefusalCode('CONSUMED')).toBe('ALREADY_VERIFIED');
  });
});

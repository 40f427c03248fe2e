import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, type Stack } from '../helpers/stack';

const REAL = 'IBU00100002'; // seeded, active; phone +254700100002

/**
 * One userId rule on every route, and one lockout counter per user whatever the case its id
 * is spelt in (issue #27, defect 13). HTTP on the dev server with the real worker.
 */
describe('user ids', () => {
  let stack: Stack;
  let channel: string;
  const challenge = (userId: string, token = channel) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', { token, body: { purpose: 'LOGIN', userId } });

  beforeAll(async () => {
    stack = await startStack({ MFA_USER_MAX_CONSECUTIVE_FAILURES: '2' });
    channel = await stack.token('mfa:write mfa:any-user');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(['IBU.00100002', 'IBU_00100002', 'IBU00100002 '])(
    'refuses %j on MFA as every other route does',
    async (userId) => {
      const mfa = await challenge(userId);
      expect([mfa.status, mfa.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const reset = await call(stack.apiUrl, 'POST', '/reset-user-ib', {
        token: await stack.token('ib-users:write'),
        body: {
          requestId: 'user-id-rule-1',
          userId,
          mfa: { serviceKey: crypto.randomUUID(), securityKey: 'x'.repeat(20) },
        },
      });
      expect([reset.status, reset.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    },
  );

  it('keeps one lockout counter per user, whatever the case of its id', async () => {
    const own = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: REAL });
    const created = await challenge(REAL, own);
    expect(created.status).toBe(201);
    const serviceKey = created.body.serviceKey as string;
    const sms = stack.outbox('sms').find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
    const code = /(\d{6}) is your verification code/.exec(String(sms?.body))?.[1] as string;
    // Two different wrong codes: the same request twice is one attempt (its Update id is the request's).
    const wrong = (k: number) => code.slice(0, 5) + String((Number(code[5]) + k) % 10);
    let last;
    for (let i = 1; i <= 2; i++) {
      last = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
        token: own,
        body: { securityKey: created.body.securityKey, otp: wrong(i) },
      });
    }
    expect(last?.body.code).toBe('USER_OTP_LOCKED');
    // The same user in another case is locked too: no fresh counter, no code.
    const before = stack.outbox('sms').length;
    const other = await challenge(REAL.toLowerCase());
    expect([other.status, other.body.code]).toEqual([423, 'USER_OTP_LOCKED']);
    expect(stack.outbox('sms').length).toBe(before);
  });
});

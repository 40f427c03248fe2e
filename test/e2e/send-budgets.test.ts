import { mintDevToken } from '../../lib/dev-keys';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
const REAL = 'IBU00100002'; // seeded, active; registered phone +254700100002

type Answer = Awaited<ReturnType<typeof call>>;

/**
 * Send budgets through HTTP on the dev server with the real worker: a signed-in user's
 * codes to numbers not on file, one budget per number whatever its spelling, exact
 * per-caller budgets over sharded quota entities, and caps per subject across client
 * addresses plus per client network behind TRUST_PROXY. Native and Infinity twins alike.
 */
describe('send budgets', () => {
  let stack: Stack;
  let seq = 0;
  const freshPhone = () => `+2547008${String(++seq).padStart(5, '0')}`;
  const sms = () => stack.outbox('sms');
  const app = (subject: string) => mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject });
  const prelogin = (token: string, phone: string, ip?: string) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'ONBOARDING', phone },
      ...(ip && { headers: { 'x-forwarded-for': ip } }),
    });
  const statuses = (answers: Answer[]) => answers.map((a) => a.status);

  beforeAll(async () => {
    stack = await startStack({
      TRUST_PROXY: 'loopback',
      MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: '3',
      MFA_PRELOGIN_CALLER_SHARDS: '8',
      MFA_PRELOGIN_MAX_PER_NETWORK_PER_HOUR: '4',
      MFA_USER_NEW_DESTINATION_MAX_PER_HOUR: '2',
      MFA_DESTINATION_MAX_PER_WINDOW: '2',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("caps a signed-in user's codes to numbers not on file, across numbers (429, Retry-After)", async () => {
    const own = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: REAL });
    const open = (purpose: string, phone: string) =>
      call(stack.apiUrl, 'POST', '/mfa/challenges', { token: own, body: { purpose, userId: REAL, phone } });
    const [a, b, c] = [freshPhone(), freshPhone(), freshPhone()];
    expect((await open('UPDATE_PHONE', a)).status).toBe(201);
    expect((await open('ONBOARDING', b)).status).toBe(201);
    const refused = await open('UPDATE_PHONE', c);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'USER_RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(sms().filter((m) => m.to === c)).toEqual([]);
    // A channel acting for the same user spends the same budget.
    const channel = await stack.token('mfa:write mfa:any-user');
    const viaChannel = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: channel,
      body: { purpose: 'UPDATE_PHONE', userId: REAL, phone: freshPhone() },
    });
    expect(viaChannel.body).toMatchObject({ code: 'USER_RATE_LIMITED' });
    // Codes to the contacts on file are not charged to it.
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: own,
      body: { purpose: 'LOGIN', userId: REAL },
    });
    expect(login.status).toBe(201);
  });

  it("refuses a user's own token a pre-login code to a number it types, native and Infinity: nothing sent", async () => {
    const own = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: REAL });
    const [a, b] = [freshPhone(), freshPhone()];
    const native = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: own,
      body: { purpose: 'ONBOARDING', phone: a },
    });
    expect({ status: native.status, code: native.body.code }).toEqual({
      status: 403,
      code: 'SUBJECT_MISMATCH',
    });
    const infinity = await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
      token: own,
      body: { Phone: b },
    });
    expect(infinity.status).toBe(403);
    expect(sms().filter((m) => m.to === a || m.to === b)).toEqual([]);
    // A channel acting for any user, and a pre-login app, still open them.
    const channel = await stack.token('mfa:write mfa:any-user');
    const viaChannel = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: channel,
      body: { purpose: 'ONBOARDING', phone: freshPhone() },
    });
    expect(viaChannel.status).toBe(201);
  });

  it('counts a number once whatever its spelling: native and Infinity (canonical E.164)', async () => {
    const token = await app('spelling-app');
    expect((await prelogin(token, '+254712200000', '192.0.2.1')).status).toBe(201);
    // The trunk-prefix spelling is the same number: same budget (2 per window here).
    expect((await prelogin(token, '+2540712200000', '192.0.2.2')).status).toBe(201);
    const third = await prelogin(await app('spelling-app-2'), '+2540712200000', '192.0.2.3');
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'DESTINATION_RATE_LIMITED' });
    const infinity = await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
      token: await app('spelling-app-3'),
      headers: { 'x-forwarded-for': '192.0.2.4' },
      body: { Phone: '2540712200000' },
    });
    expect(infinity.status).toBe(429);
    expect(infinity.body).toMatchObject({ dbpErrCode: '10575' });
    // Sent in the one spelling only.
    expect(
      sms()
        .filter((m) => String(m.to).endsWith('712200000'))
        .map((m) => m.to),
    ).toEqual(['+254712200000', '+254712200000']);
  });

  it('admits exactly the budget over sharded entities: 3 of 3, then 429 (8 shards configured)', async () => {
    const token = await app('exact-app');
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await prelogin(token, freshPhone(), '198.51.100.1'));
    expect(statuses(answers)).toEqual([201, 201, 201, 429, 429, 429]);
    expect(answers[3]?.body).toMatchObject({ code: 'CALLER_RATE_LIMITED' });
    expect(Number(answers[3]?.headers.get('retry-after'))).toBeGreaterThan(3000);
    // The same exact budget on the Infinity twin.
    const infinityApp = await app('exact-infinity-app');
    const infinity: Answer[] = [];
    for (let i = 0; i < 4; i++) {
      infinity.push(
        await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
          token: infinityApp,
          headers: { 'x-forwarded-for': '198.51.100.2' },
          body: { Phone: freshPhone() },
        }),
      );
    }
    expect(statuses(infinity)).toEqual([200, 200, 200, 429]);
    expect(infinity[3]?.body).toMatchObject({ dbpErrCode: '10576' });
  });

  it("keeps a subject's cap across client addresses behind the proxy (IPv4 and IPv6)", async () => {
    const token = await app('rotating-app');
    const addresses = ['203.0.113.10', '203.0.113.11', '2001:db8:7::1', '2001:db8:8::1', '203.0.113.12'];
    const answers: Answer[] = [];
    for (const ip of addresses) answers.push(await prelogin(token, freshPhone(), ip));
    expect(statuses(answers)).toEqual([201, 201, 201, 429, 429]);
  });

  it('caps one client network across subjects, an IPv6 /64 as one client', async () => {
    const answers: Answer[] = [];
    for (let i = 1; i <= 5; i++) {
      answers.push(
        await prelogin(await app(`subject-${i}`), freshPhone(), `2001:db8:1:2::${i.toString(16)}`),
      );
    }
    expect(statuses(answers)).toEqual([201, 201, 201, 201, 429]);
    expect(answers[4]?.body).toMatchObject({ code: 'CALLER_RATE_LIMITED' });
    // Another network still gets its codes.
    expect((await prelogin(await app('subject-6'), freshPhone(), '2001:db8:1:3::1')).status).toBe(201);
  });
});

import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, type Stack } from '../helpers/stack';

const REAL = 'IBU00100002'; // seeded, active; registered phone +254700100002 and an email
const UNKNOWN = 'IBU09999999';
const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
const FLOOR_MS = 1000;

type Answer = Awaited<ReturnType<typeof call>>;

/**
 * No enumeration (security model): a caller not bound to a user (a pre-login app naming a
 * userId) gets the same answers whether the user is real, unknown, inactive, contactless
 * or OTP-locked; a decoy challenge sends nothing. Callers bound to the user (its own token)
 * keep the precise refusals. API → dev server → real worker → simulator and outboxes.
 */
describe('MFA answers tell an unbound caller nothing about a user', () => {
  let stack: Stack;
  let app: string;
  const users: Record<'real' | 'unknown' | 'inactive' | 'contactless' | 'otpLocked', string> = {
    real: REAL,
    unknown: UNKNOWN,
    inactive: '',
    contactless: '',
    otpLocked: '',
  };

  const esb = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  async function newUser(customerId: string, username: string): Promise<string> {
    const res = await esb('POST', '/esb/v1/ib-users', {
      businessKey: `enum-${customerId}`,
      customerId,
      username,
      channel: 'MB',
      acceptedDisclosures: [],
    });
    expect(res.status).toBe(201);
    return res.body.userId as string;
  }
  const ownToken = (userId: string) => mintDevToken(stack.config, { scopes: ['mfa:write'], subject: userId });
  const messagesOf = (serviceKey: string) =>
    [...stack.outbox('sms'), ...stack.outbox('email')].filter((m) =>
      String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`),
    );
  const allMessages = () => stack.outbox('sms').length + stack.outbox('email').length;
  const codeOf = (serviceKey: string) =>
    /(\d{6}) is your verification code/.exec(
      String(stack.outbox('sms').find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`))?.body),
    )?.[1] as string;
  /** A wrong code; `by` tells attempts apart (the same code again is a retry of one attempt). */
  const wrong = (code: string, by = 1) => code.slice(0, 5) + String((Number(code[5]) + by) % 10);

  /** What the answer says, without what differs by nature between any two challenges (ids, times). */
  const shape = (r: Answer) => {
    const { requestId: _r, instance: _i, serviceKey, securityKey, processId, userId: _u, ...rest } = r.body;
    const times = ['createdAt', 'expiresAt', 'resendAvailableAt', 'verifiedAt', 'consumedAt'];
    return {
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      keys: Object.keys(r.body).sort(),
      ids: [serviceKey, securityKey, processId].map((v) => typeof v),
      body: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, times.includes(k) ? typeof v : v])),
    };
  };

  beforeAll(async () => {
    stack = await startStack({
      MFA_CONCEALED_MIN_ANSWER_MS: String(FLOOR_MS),
      MFA_RESEND_COOLDOWN_SECONDS: '0',
      MFA_USER_MAX_CONSECUTIVE_FAILURES: '3',
      // The client network is part of a pre-login caller (its budgets, its pre-login locks).
      TRUST_PROXY: 'loopback',
    });
    app = await mintDevToken(stack.config, {
      scopes: ['mfa:prelogin', 'processes:read'],
      subject: 'mobile-app',
    });
    users.inactive = await newUser('100005', 'grace.njeri');
    const deactivated = await esb('POST', `/esb/v1/ib-users/${users.inactive}/deactivate`, {
      reason: 'e2e enumeration check',
    });
    expect(deactivated.status).toBe(200);
    const customer = await esb('POST', '/admin/customers', {
      customerId: '500001',
      firstName: 'No',
      lastName: 'Contact',
      products: ['SAV-500001'],
    });
    expect(customer.status).toBe(201);
    users.contactless = await newUser('500001', 'no.contact');
    // OTP-locked: three wrong codes in a row on the user's own LOGIN challenge.
    users.otpLocked = await newUser('100001', 'amina.wanjiru');
    const own = await ownToken(users.otpLocked);
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: own,
      body: { purpose: 'LOGIN', userId: users.otpLocked },
    });
    expect(login.status).toBe(201);
    const loginCode = codeOf(login.body.serviceKey as string);
    const last = await [1, 2, 3].reduce<Promise<Answer | undefined>>(
      async (prev, n) => (
        await prev,
        call(stack.apiUrl, 'POST', `/mfa/challenges/${login.body.serviceKey}/verify`, {
          token: own,
          body: { securityKey: login.body.securityKey, otp: wrong(loginCode, n) },
        })
      ),
      Promise.resolve(undefined),
    );
    expect(last?.body.code).toBe('USER_OTP_LOCKED');
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const create = (userId: string, body: Record<string, unknown> = {}) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: app,
      body: { purpose: 'ONBOARDING', userId, ...body },
    });

  it("sends a real user's code to its contacts on file, and the pre-login caller verifies it", async () => {
    const res = await create(REAL);
    expect(res.status).toBe(201);
    const serviceKey = res.body.serviceKey as string;
    expect(
      messagesOf(serviceKey)
        .map((m) => m.to)
        .sort(),
    ).toEqual(['+254700100002', 'brian.otieno@example.com']);
    // Where it went is not said: a decoy would have nothing to show.
    expect(res.body.customerCommunication).toEqual({ phone: [], email: [] });
    const ok = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
      token: app,
      body: { securityKey: res.body.securityKey, otp: codeOf(serviceKey) },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'VERIFIED', isOtpVerified: true });
  });

  it('with `Prefer: wait=0` and polling at once, still answers alike for a real and an unknown user', async () => {
    // Every ESB call slow: a real user's lookup (user, then customer) takes twice an unknown
    // one's, so a view that showed SENDING until the code went out would tell them apart.
    expect((await esb('PUT', '/admin/faults', { latencyMs: 1200 })).status).toBe(200);
    try {
      const observe = async (userId: string) => {
        const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
          token: app,
          body: { purpose: 'ONBOARDING', userId },
          headers: { Prefer: 'wait=0' },
        });
        const polls: unknown[] = [];
        for (let i = 0; i < 12; i++) {
          const got = await call(stack.apiUrl, 'GET', `/mfa/challenges/${res.body.serviceKey}`, {
            token: app,
          });
          polls.push([got.status, got.body.status]);
          await new Promise((r) => setTimeout(r, 150));
        }
        return { create: [res.status, res.body.status], polls };
      };
      const [real, unknown] = await Promise.all([observe(REAL), observe(UNKNOWN)]);
      expect(unknown).toEqual(real);
      // `Prefer` is ignored for a concealed create: the floor and the wait budget apply.
      expect(real.create).toEqual([201, 'PENDING']);
    } finally {
      await esb('PUT', '/admin/faults', { latencyMs: 0 });
    }
  }, 60_000);

  it("keeps the precise refusals for a caller bound to the user (the user's own token)", async () => {
    // First: the wrong codes below count on these users' locks too, as on a real user's.
    const own = async (userId: string) =>
      call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: await ownToken(userId),
        body: { purpose: 'LOGIN', userId },
      });
    const results = await Promise.all(
      (['unknown', 'inactive', 'contactless', 'otpLocked'] as const).map(async (name) => {
        const res = await own(users[name]);
        return { name, status: res.status, code: res.body.code };
      }),
    );
    expect(results).toEqual([
      { name: 'unknown', status: 404, code: 'USER_NOT_FOUND' },
      { name: 'inactive', status: 422, code: 'USER_NOT_ACTIVE' },
      { name: 'contactless', status: 422, code: 'NO_REGISTERED_CONTACT' },
      { name: 'otpLocked', status: 423, code: 'USER_OTP_LOCKED' },
    ]);
  });
  it('answers create, resend and verify alike for real, unknown, inactive, contactless and OTP-locked users; decoys send nothing', async () => {
    const before = allMessages();
    const created: Record<string, { res: Answer; ms: number }> = {};
    for (const [name, userId] of Object.entries(users)) {
      const t0 = Date.now();
      const res = await create(userId);
      created[name] = { res, ms: Date.now() - t0 };
    }
    const real = created.real!.res;
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({
      status: 'PENDING',
      remainingVerifyAttempts: 5,
      remainingResendAttempts: 3,
    });
    for (const [name, { res, ms }] of Object.entries(created)) {
      expect({ name, ...shape(res) }).toEqual({ name, ...shape(real) });
      // No answer comes sooner than the floor: a decoy is not told apart by its speed.
      expect({ name, fast: ms < FLOOR_MS - 20 }).toEqual({ name, fast: false });
    }
    // Counted on the receiving side: only the real user's phone and email got a message.
    const keyOf = (name: string) => created[name]!.res.body.serviceKey as string;
    expect(messagesOf(keyOf('real'))).toHaveLength(2);
    for (const name of ['unknown', 'inactive', 'contactless', 'otpLocked'])
      expect({ name, sent: messagesOf(keyOf(name)).length }).toEqual({ name, sent: 0 });
    expect(allMessages() - before).toBe(2);

    // Resend: the same answer; the real code goes out again, decoys still send nothing.
    const resent: Record<string, Answer> = {};
    for (const name of Object.keys(users)) {
      resent[name] = await call(stack.apiUrl, 'POST', `/mfa/challenges/${keyOf(name)}/resend`, {
        token: app,
        body: { securityKey: created[name]!.res.body.securityKey },
      });
    }
    expect(resent.real!.status).toBe(200);
    for (const [name, res] of Object.entries(resent))
      expect({ name, ...shape(res) }).toEqual({ name, ...shape(resent.real!) });
    expect(allMessages() - before).toBe(4);

    // Verify: wrong codes count down alike and lock each challenge after the fifth, even
    // where the user's own OTP lock trips on the way (it would say 423 USER_OTP_LOCKED).
    const realCode = codeOf(keyOf('real'));
    const answers: Record<string, ReturnType<typeof shape>[]> = {};
    for (const name of Object.keys(users)) {
      answers[name] = [];
      for (let i = 0; i < 6; i++) {
        const res = await call(stack.apiUrl, 'POST', `/mfa/challenges/${keyOf(name)}/verify`, {
          token: app,
          body: { securityKey: created[name]!.res.body.securityKey, otp: wrong(realCode, i + 1) },
        });
        answers[name].push(shape(res));
      }
    }
    expect(answers.real!.map((a) => [a.status, a.body.code, a.body.remainingVerifyAttempts])).toEqual([
      [422, 'OTP_INVALID', 4],
      [422, 'OTP_INVALID', 3],
      [422, 'OTP_INVALID', 2],
      [422, 'OTP_INVALID', 1],
      [423, 'MAX_ATTEMPTS_EXCEEDED', 0],
      [423, 'MAX_ATTEMPTS_EXCEEDED', 0],
    ]);
    for (const [name, seq] of Object.entries(answers))
      expect({ name, seq }).toEqual({ name, seq: answers.real });

    // Nor does the run's trail tell: the caller that started it cannot read it.
    for (const name of ['real', 'unknown']) {
      const res = await call(stack.apiUrl, 'GET', `/processes/${mfaProcessId(keyOf(name))}`, { token: app });
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
    }
  }, 120_000);

  it('never locks a user out of its own codes by wrong codes a pre-login caller types', async () => {
    const userId = await newUser('100004', 'daniel.kiprop');
    // MFA_USER_MAX_CONSECUTIVE_FAILURES (3) wrong codes through a concealed challenge.
    const res = await create(userId);
    expect(res.status).toBe(201);
    const sent = codeOf(res.body.serviceKey as string);
    for (let i = 0; i < 3; i++) {
      const v = await call(stack.apiUrl, 'POST', `/mfa/challenges/${res.body.serviceKey}/verify`, {
        token: app,
        body: { securityKey: res.body.securityKey, otp: wrong(sent, i + 1) },
      });
      expect(v.status).toBe(422);
    }
    // The user's own LOGIN code goes out and verifies: not 423 USER_OTP_LOCKED.
    const own = await ownToken(userId);
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: own,
      body: { purpose: 'LOGIN', userId },
    });
    expect({ status: login.status, code: login.body.code }).toEqual({ status: 201, code: undefined });
    const ok = await call(stack.apiUrl, 'POST', `/mfa/challenges/${login.body.serviceKey}/verify`, {
      token: own,
      body: { securityKey: login.body.securityKey, otp: codeOf(login.body.serviceKey as string) },
    });
    expect(ok.status).toBe(200);
    // The pre-login caller's wrong codes did count, on the user's pre-login lock: its next
    // concealed challenge is a decoy (nothing sent), answered as a real one.
    const after = await create(userId);
    expect(after.status).toBe(201);
    expect(messagesOf(after.body.serviceKey as string)).toHaveLength(0);
  }, 120_000);

  it("keeps a pre-login caller's wrong codes to its own lock: the user's app from another network still gets its code, native and Infinity", async () => {
    const phone = '+254700100077';
    const customer = await esb('POST', '/admin/customers', {
      customerId: '500002',
      firstName: 'Lock',
      lastName: 'Victim',
      phone,
      products: ['SAV-500002'],
    });
    expect(customer.status).toBe(201);
    const victim = await newUser('500002', 'lock.victim');
    // One app token (every installation holds it); two client networks behind the proxy.
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    const victimsApp = { 'x-forwarded-for': '203.0.113.10' };
    const open = async (headers: Record<string, string>) => {
      const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: app,
        headers,
        body: { purpose: 'ONBOARDING', userId: victim },
      });
      expect(res.status).toBe(201);
      return { serviceKey: res.body.serviceKey as string, securityKey: res.body.securityKey as string };
    };
    const verify = (
      c: { serviceKey: string; securityKey: string },
      otp: string,
      headers: Record<string, string>,
    ) =>
      call(stack.apiUrl, 'POST', `/mfa/challenges/${c.serviceKey}/verify`, {
        token: app,
        headers,
        body: { securityKey: c.securityKey, otp },
      });

    // The attacker opens two concealed challenges (the codes reach the victim's phone only)
    // and types MFA_USER_MAX_CONSECUTIVE_FAILURES (3) wrong codes: its lock trips.
    const a1 = await open(attacker);
    const a2 = await open(attacker);
    for (let i = 1; i <= 3; i++)
      expect((await verify(a1, wrong(codeOf(a1.serviceKey), i), attacker)).status).toBe(422);
    // Still bounded: even the right code of its other challenge now answers as a wrong one,
    // and its next challenge sends nothing.
    const guessed = await verify(a2, codeOf(a2.serviceKey), attacker);
    expect({ status: guessed.status, code: guessed.body.code }).toEqual({ status: 422, code: 'OTP_INVALID' });
    const a3 = await open(attacker);
    expect(messagesOf(a3.serviceKey)).toHaveLength(0);

    // The victim's own app (same app token, its own network): its code goes out.
    const own = await open(victimsApp);
    expect(messagesOf(own.serviceKey).map((m) => m.to)).toEqual([phone]);
    // The Infinity pre-login pair is no way around the lock: with the right code it refuses
    // the attacker's challenge and the victim's alike (10582), spending nothing.
    const infinityVerify = (
      c: { serviceKey: string; securityKey: string },
      otp: string,
      headers: Record<string, string>,
    ) =>
      call(stack.apiUrl, 'POST', `${INFINITY}/verifyOTPPreLoginMB`, {
        token: app,
        headers,
        body: {
          Phone: phone,
          MFAAttributes: { serviceKey: c.serviceKey, OTP: { securityKey: c.securityKey, otp } },
        },
      });
    const viaInfinity = [
      await infinityVerify(a2, codeOf(a2.serviceKey), attacker),
      await infinityVerify(own, codeOf(own.serviceKey), victimsApp),
    ].map((r) => ({ status: r.status, body: r.body }));
    expect(viaInfinity[0]?.body).toMatchObject({ dbpErrCode: '10582' });
    expect(viaInfinity[1]).toEqual(viaInfinity[0]);
    const ok = await verify(own, codeOf(own.serviceKey), victimsApp);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'VERIFIED', isOtpVerified: true });

    // The victim's signed-in codes were never touched.
    const victimsToken = await ownToken(victim);
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: victimsToken,
      body: { purpose: 'LOGIN', userId: victim },
    });
    expect(login.status).toBe(201);
    const loggedIn = await call(stack.apiUrl, 'POST', `/mfa/challenges/${login.body.serviceKey}/verify`, {
      token: victimsToken,
      body: { securityKey: login.body.securityKey, otp: codeOf(login.body.serviceKey as string) },
    });
    expect(loggedIn.status).toBe(200);
  }, 180_000);

  it('refuses a pre-login caller naming a user and a destination of its own, before anything is sent', async () => {
    const before = allMessages();
    for (const userId of [REAL, UNKNOWN]) {
      const res = await create(userId, { phone: '+254711900001' });
      expect({ userId, status: res.status, code: res.body.code }).toEqual({
        userId,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(allMessages()).toBe(before);
  });
});

import type { RegistrationRequest } from '../helpers/openapi-types.generated';
import { apiClient, type ApiClient } from '../helpers/api-client';
import { decodedHistoryText } from '../helpers/history';
import { mintDevToken } from '../../lib/dev-keys';
import { registrationKeys } from '../../lib/registration-crypto';
import { loadServerKey } from '../../lib/server-key';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * POST /registrations and its verify through HTTP: API → Temporal dev server → real worker
 * → core-banking simulator and the SMS outbox (the receiving side: every message sent).
 */
describe('self-registration end to end', () => {
  let stack: Stack;
  let api: ApiClient;
  // Grace Njeri (100005) in the simulator's seed: eligible, no IB user yet.
  const grace = { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-09', nationalIdLast4: '0005' };
  const password = 'violet-harbour-lantern-42';
  const disclosures = [
    { id: 'IB_TERMS', version: 2 },
    { id: 'PRIVACY', version: 1 },
  ];

  beforeAll(async () => {
    stack = await startStack({
      DISCLOSURE_VERSIONS: 'IB_TERMS=2',
      REGISTRATION_IDENTITY_MAX_PER_WINDOW: '3',
      // One shard of 12 per caller: the last test spends one caller's budget.
      MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: '12',
      MFA_PRELOGIN_CALLER_SHARDS: '1',
    });
    api = apiClient(stack.apiUrl, await stack.token('registrations:write'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const register = (body: RegistrationRequest) => api.POST('/registrations', { body });
  const verify = (registrationId: string, securityKey: string, otp: string) =>
    api.POST('/registrations/{registrationId}/verify', {
      params: { path: { registrationId } },
      body: { securityKey, otp },
    });
  const admin = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const smsTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const codeIn = (text: unknown) => /(\d{6}) is your verification code/.exec(String(text))?.[1] as string;
  const body = (over: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
    requestId: 'reg-e2e-0001',
    identity: grace,
    username: 'grace.njeri',
    password,
    acceptedDisclosures: disclosures,
    ...over,
  });
  /** The problem body without what differs per request. */
  const bare = (p: unknown) => {
    const { requestId: _r, instance: _i, ...rest } = p as Record<string, unknown>;
    return rest;
  };

  it('lists the current disclosures with their versions and digests', async () => {
    const { data, response } = await api.GET('/disclosures');
    expect(response.status).toBe(200);
    expect(data?.items).toEqual([
      expect.objectContaining({
        id: 'IB_TERMS',
        version: 2,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
      expect.objectContaining({ id: 'PRIVACY', version: 1 }),
    ]);
  });

  it('refuses a wrong identity with 422 IDENTITY_NOT_VERIFIED, the same answer whatever field differs, and sends nothing', async () => {
    const before = stack.outbox('sms').length;
    const wrongId = await register(
      body({ requestId: 'reg-e2e-wrong-1', identity: { ...grace, nationalIdLast4: '9999' } }),
    );
    const wrongName = await register(
      body({ requestId: 'reg-e2e-wrong-2', identity: { ...grace, lastName: 'Nobody', firstName: 'Some' } }),
    );
    for (const r of [wrongId, wrongName]) {
      expect(r.response.status).toBe(422);
      expect(r.error?.code).toBe('IDENTITY_NOT_VERIFIED');
    }
    // No hint which field, no masked phone, no process to follow.
    expect(bare(wrongId.error)).toEqual(bare(wrongName.error));
    expect(Object.keys(bare(wrongId.error)).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
    expect(JSON.stringify(wrongId.error)).not.toMatch(/\+254|•|processId/);
    expect(stack.outbox('sms')).toHaveLength(before);
  });

  it("answers a business customer's identity as a mismatch: no user without an employee reference, nothing sent", async () => {
    await admin('POST', '/admin/customers', {
      customerId: '300101',
      firstName: 'Baraka',
      lastName: 'Holdings',
      phone: '+254700300101',
      products: ['CUR-300101'],
      type: 'BUSINESS',
      dateOfBirth: '2001-04-01',
      nationalId: '55550101',
    });
    const business = {
      firstName: 'Baraka',
      lastName: 'Holdings',
      dateOfBirth: '2001-04-01',
      nationalIdLast4: '0101',
    };
    const matched = await register(
      body({ requestId: 'reg-e2e-business-1', identity: business, username: 'baraka.holdings' }),
    );
    const wrong = await register(
      body({
        requestId: 'reg-e2e-business-2',
        identity: { ...business, nationalIdLast4: '9999' },
        username: 'baraka.holdings',
      }),
    );
    expect(matched.response.status).toBe(422);
    expect(bare(matched.error)).toEqual(bare(wrong.error));
    expect(matched.error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(smsTo('+254700300101')).toHaveLength(0);
    expect((await admin('GET', '/admin/customers/300101')).body.ibUsers).toEqual([]);
  });

  it('tells how a registration ended only to the holder of its securityKey', async () => {
    // The ids are derived from the caller and the requestId, so the test knows them as the app would.
    const subject = 'keyholder-app';
    const app = apiClient(
      stack.apiUrl,
      await mintDevToken(stack.config, { scopes: ['registrations:write'], subject }),
    );
    const requestId = 'reg-e2e-keyholder-1';
    const failed = await app.POST('/registrations', {
      // Not Grace's name: her identity budget is spent by the tests below.
      body: body({ requestId, identity: { ...grace, firstName: 'Keyholder' } }),
    });
    expect(failed.error?.code).toBe('IDENTITY_NOT_VERIFIED');
    const keys = registrationKeys(loadServerKey({ keysDir: stack.config.keysDir }), subject, requestId);
    const ask = (securityKey: string) =>
      app.POST('/registrations/{registrationId}/verify', {
        params: { path: { registrationId: keys.registrationId } },
        body: { securityKey, otp: '123456' },
      });
    const stranger = await ask('not-the-key');
    expect(stranger.response.status).toBe(403);
    expect(stranger.error?.code).toBe('SECURITY_KEY_INVALID');
    expect(JSON.stringify(stranger.error)).not.toMatch(/IDENTITY|FAILED|reason/);
    const holder = await ask(keys.securityKey);
    expect(holder.response.status).toBe(422);
    expect(holder.error?.code).toBe('IDENTITY_NOT_VERIFIED');
  });

  it('refuses bad credentials and a stale disclosure with clear 422s before anything starts', async () => {
    const before = stack.outbox('sms').length;
    const cases: [Partial<RegistrationRequest>, string, unknown][] = [
      [{ password: 'qwerty123456' }, 'PASSWORD_POLICY', { reasons: ['BREACHED'] }],
      [{ password: 'Zq8#wx' }, 'PASSWORD_POLICY', { reasons: ['TOO_SHORT'] }],
      [{ password: 'my-grace.njeri-pass' }, 'PASSWORD_POLICY', { reasons: ['CONTAINS_USERNAME'] }],
      [{ username: '12345678' }, 'USERNAME_POLICY', { field: 'username' }],
      [
        { acceptedDisclosures: [{ id: 'IB_TERMS', version: 1 }, 'PRIVACY'] },
        'DISCLOSURES_NOT_ACCEPTED',
        { stale: [{ id: 'IB_TERMS', accepted: 1, current: 2 }], missing: [] },
      ],
      [{ acceptedDisclosures: ['IB_TERMS'] }, 'DISCLOSURES_NOT_ACCEPTED', { missing: ['PRIVACY'] }],
    ];
    for (const [over, code, extensions] of cases) {
      const r = await register(
        body({ requestId: `reg-e2e-bad-${code}-${Math.random()}`.slice(0, 60), ...over }),
      );
      expect(r.response.status).toBe(422);
      expect(r.error).toMatchObject({ code, ...(extensions as object) });
      expect(JSON.stringify(r.error)).not.toContain(over.password ?? password);
    }
    // A number typed in the request is never a destination: there is no field for one.
    const typedPhone = await call(stack.apiUrl, 'POST', '/registrations', {
      token: await stack.token('registrations:write'),
      body: { ...body({ requestId: 'reg-e2e-typed-phone' }), phone: '+254711000999' },
    });
    expect(typedPhone.status).toBe(400);
    // Pre-login, but not open: another scope is refused.
    const otherScope = await call(stack.apiUrl, 'POST', '/registrations', {
      token: await stack.token('ib-users:write'),
      body: body({ requestId: 'reg-e2e-scope' }),
    });
    expect(otherScope.status).toBe(403);
    expect(stack.outbox('sms')).toHaveLength(before);
  });

  it('sends a code to the mobile on file, creates the user with the chosen password on verify, and no history holds it', async () => {
    const created = await register(body());
    expect(created.response.status).toBe(202);
    const sent = created.data;
    if (sent?.status !== 'CODE_SENT')
      throw new Error(`no code sent: ${JSON.stringify(created.error ?? sent)}`);
    expect(sent).toMatchObject({
      registrationId: expect.any(String),
      serviceKey: expect.any(String),
      securityKey: expect.any(String),
      maskedDestination: '+254••••••005',
    });
    const sms = smsTo('+254700100005');
    expect(sms).toHaveLength(1);
    expect(stack.outbox('sms').filter((m) => m.to !== '+254700100005')).toHaveLength(0);
    const code = codeIn(sms[0]?.body);
    expect(code).toMatch(/^\d{6}$/);

    // The same requestId replays: the same keys, nothing sent again.
    const replay = await register(body());
    expect(replay.response.status).toBe(202);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.data).toMatchObject({ registrationId: sent.registrationId, securityKey: sent.securityKey });
    expect(smsTo('+254700100005')).toHaveLength(1);
    const reused = await register(body({ username: 'grace.other' }));
    expect(reused.response.status).toBe(422);
    expect(reused.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const wrongKey = await verify(sent.registrationId, 'not-the-key', code);
    expect(wrongKey.response.status).toBe(403);
    const wrongCode = await verify(
      sent.registrationId,
      sent.securityKey as string,
      code === '000000' ? '111111' : '000000',
    );
    expect(wrongCode.response.status).toBe(422);
    expect(wrongCode.error?.code).toBe('OTP_INVALID');

    const done = await verify(sent.registrationId, sent.securityKey as string, code);
    expect(done.response.status).toBe(201);
    expect(done.data).toMatchObject({
      username: 'grace.njeri',
      userId: expect.any(String),
      status: 'COMPLETED',
    });
    const userId = done.data?.userId as string;

    // Core banking: active, the chosen password works, no change forced at first login.
    const customer = (await admin('GET', '/admin/customers/100005')).body;
    expect(customer.ibUsers).toEqual([
      expect.objectContaining({
        userId,
        username: 'grace.njeri',
        status: 'ACTIVE',
        mustChangePassword: false,
      }),
    ]);
    expect((await admin('POST', `/admin/ib-users/${userId}/verify-password`, { password })).body).toEqual({
      matches: true,
    });
    // The evidence: which versions, when, through which channel.
    expect(customer.disclosureAcceptances).toEqual([
      expect.objectContaining({
        userId,
        channel: 'MOBILE',
        acceptedAt: expect.any(String),
        disclosures: [
          expect.objectContaining({ id: 'IB_TERMS', version: 2 }),
          expect.objectContaining({ id: 'PRIVACY', version: 1 }),
        ],
      }),
    ]);

    // A retried verify after a lost answer gets the same result.
    const again = await verify(sent.registrationId, sent.securityKey as string, code);
    expect(again.response.status).toBe(201);
    expect(again.data?.userId).toBe(userId);

    for (const processId of [sent.processId, `mfa-${sent.serviceKey}`]) {
      const decoded = await decodedHistoryText(
        stack.codec,
        await stack.client.workflow.getHandle(processId).fetchHistory(),
      );
      expect(decoded).toContain(sent.registrationId);
      for (const secret of [password, code, sent.securityKey as string, '1995-09-09', '27640005', 'Njeri']) {
        expect(decoded).not.toContain(secret);
      }
    }
    expect(stack.logs.join('\n')).not.toContain(password);
  });

  it('answers 409 ALREADY_REGISTERED to a customer who is registered, with nothing sent', async () => {
    const before = stack.outbox('sms').length;
    const r = await register(body({ requestId: 'reg-e2e-0002', username: 'grace.second' }));
    expect(r.response.status).toBe(409);
    expect(r.error?.code).toBe('ALREADY_REGISTERED');
    expect(stack.outbox('sms')).toHaveLength(before);
  });

  it('limits identity checks per identity: after the budget even the right identity is refused, nothing sent', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200001',
      firstName: 'Hassan',
      lastName: 'Mwangi',
      phone: '+254700200001',
      products: ['SAV-200001'],
      dateOfBirth: '1988-02-14',
      nationalId: '31415926',
    });
    const hassan = {
      firstName: 'Hassan',
      lastName: 'Mwangi',
      dateOfBirth: '1988-02-14',
      nationalIdLast4: '5926',
    };
    for (const last4 of ['0000', '1111', '2222']) {
      const r = await register(
        body({
          requestId: `reg-e2e-limit-${last4}`,
          username: 'hassan.mwangi',
          identity: { ...hassan, nationalIdLast4: last4 },
        }),
      );
      expect(r.error?.code).toBe('IDENTITY_NOT_VERIFIED');
    }
    // Another spelling of the same person spends the same budget.
    const right = await register(
      body({
        requestId: 'reg-e2e-limit-right',
        username: 'hassan.mwangi',
        identity: { ...hassan, firstName: 'HASSAN ' },
      }),
    );
    expect(right.response.status).toBe(429);
    expect(right.error?.code).toBe('IDENTITY_ATTEMPTS_EXCEEDED');
    expect(Number(right.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(smsTo('+254700200001')).toHaveLength(0);
    // The entity's id holds a digest, never the identity.
    const ids: string[] = [];
    for await (const run of stack.client.workflow.list({
      query: "WorkflowId STARTS_WITH 'registration-identity-'",
    })) {
      ids.push(run.workflowId);
    }
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^registration-identity-[0-9a-f]{64}$/);
  });

  it("spends the caller's pre-login budget per new registration, across identities; replays spend nothing", async () => {
    const prober = apiClient(
      stack.apiUrl,
      await mintDevToken(stack.config, { scopes: ['registrations:write'], subject: 'prober-app' }),
    );
    const probe = (i: number) =>
      prober.POST('/registrations', {
        body: body({
          requestId: `reg-e2e-probe-${i}`,
          identity: { ...grace, firstName: `Person${i}`, nationalIdLast4: String(1000 + i) },
        }),
      });
    for (let i = 0; i < 12; i++) expect((await probe(i)).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    // A replay of an earlier request is answered from its run, not charged again.
    expect((await probe(0)).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    const over = await probe(12);
    expect(over.response.status).toBe(429);
    expect(over.error?.code).toBe('CALLER_RATE_LIMITED');
    expect(Number(over.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

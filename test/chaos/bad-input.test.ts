import { call, startStack, type Stack } from '../helpers/stack';

/**
 * Targeted bad input the fuzzing may not reach (the basics — no token, forged/expired/
 * alg:none tokens, 415, malformed JSON, 413 — are in test/api/skeleton.test.ts): control
 * characters and long unicode, huge numbers, malformed E.164, replayed keys with another
 * body, deep nesting and duplicate keys. Every refusal is problem+json, never a 5xx, and
 * creates nothing: no core-banking user, no SMS, no webhook, no process.
 */
describe('bad input', () => {
  let stack: Stack;
  let token: string;
  const disclosures = ['IB_TERMS', 'PRIVACY'];

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const raw = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(stack.apiUrl + path, {
      method: path.endsWith('/contact-info') ? 'PUT' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  };
  const expectRefused = (res: { status: number; type: string; text: string }, status = 400) => {
    expect({ status: res.status, type: res.type }).toEqual({
      status,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
    const body = JSON.parse(res.text) as { code?: string; status?: number };
    expect(body.status).toBe(status);
    expect(body.code).toEqual(expect.any(String));
  };
  const open = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    raw('/open-user-ib', JSON.stringify(body), headers);
  const valid = {
    requestId: 'bad-input-0001',
    customerId: '100001',
    channel: 'MOBILE',
    acceptedDisclosures: disclosures,
  };

  const nothingCreated = async () => {
    for (const id of ['100001', '100005']) {
      const customer = await call(stack.simulatorUrl, 'GET', `/admin/customers/${id}`);
      expect(customer.body.ibUsers).toEqual([]);
      const proc = await call(stack.apiUrl, 'GET', `/processes/onboard-${id}`, { token });
      expect(proc.status).toBe(404);
    }
    expect(stack.outbox('sms')).toEqual([]);
    expect(stack.outbox('webhooks')).toEqual([]);
    expect(stack.outbox('email')).toEqual([]);
  };

  it('refuses control characters and over-long unicode in identifiers and names', async () => {
    for (const customerId of ['1000\u000001', '100001\n', '100001\u202e', 'é'.repeat(33), '💥'.repeat(40)])
      expectRefused(await open({ ...valid, customerId }));
    for (const requestId of ['bad-input\u0007-01', 'bad-input-０００１', '𝔟𝔞𝔡'.repeat(30)])
      expectRefused(await open({ ...valid, requestId }));
    // Over 40 characters (code points) is refused; shorter invalid ones are replaced (see below).
    expectRefused(await open({ ...valid, preferredUsername: '名'.repeat(41) }));
    expectRefused(await open({ ...valid, preferredUsername: '💥'.repeat(41) }));
    // Postal address lines are names too: control characters and over-long text.
    for (const line1 of [
      'a'.repeat(101),
      'x'.repeat(100) + '💥',
      'Moi Avenue\u0000',
      'Moi\u001b[2J',
      'Moi \u202eeunevA',
    ])
      expectRefused(
        await raw(
          '/customers/100005/contact-info',
          JSON.stringify({
            phoneNumber: { newPhoneNumber: '+254700100005' },
            postalAddress: { line1, city: 'Nairobi', country: 'KE' },
          }),
        ).then((r) => r),
      );
    await nothingCreated();
  });

  it('refuses huge numbers and numbers where strings are expected', async () => {
    for (const body of [
      '{"requestId":"bad-input-0002","customerId":1e400,"channel":"MOBILE","acceptedDisclosures":["IB_TERMS","PRIVACY"]}',
      '{"requestId":123456789012345678901234567890,"customerId":"100001","channel":"MOBILE","acceptedDisclosures":["IB_TERMS","PRIVACY"]}',
      `{"requestId":"bad-input-0002","customerId":"100001","channel":"MOBILE","acceptedDisclosures":[${'9'.repeat(400)}]}`,
      '{"requestId":"bad-input-0002","customerId":-0,"channel":"MOBILE"}',
    ])
      expectRefused(await raw('/open-user-ib', body));
    expectRefused(await raw('/mfa/challenges', '{"purpose":"ONBOARDING","phone":254700100001}'));
    expectRefused(await raw('/mfa/challenges', `{"purpose":"ONBOARDING","phone":${'1'.repeat(500)}}`));
    // A huge wait preference is capped, not an error or an overflow.
    const waitRes = await call(stack.apiUrl, 'GET', '/processes/onboard-100001', {
      token,
      headers: { prefer: `wait=${'9'.repeat(300)}` },
    });
    expect(waitRes.status).toBe(404);
    await nothingCreated();
  });

  it('refuses malformed E.164 numbers on onboarding, MFA and contact updates', async () => {
    const bad = [
      '',
      '254700100001',
      '+0254700100001',
      '+254 700 100001',
      '+254-700-100001',
      '+254700100001\n',
      '+25470010000112345',
      '+1234567',
      '+254７００１００００１',
      '+254700100001\u0000',
      '++254700100001',
      '+254700100001;ext=1',
    ];
    for (const phone of bad) {
      expectRefused(await open({ ...valid, phone }));
      expectRefused(await raw('/mfa/challenges', JSON.stringify({ purpose: 'ONBOARDING', phone })));
      expectRefused(
        await raw(
          '/customers/100005/contact-info',
          JSON.stringify({ phoneNumber: { newPhoneNumber: phone } }),
        ),
      );
    }
    await nothingCreated();
  });

  it('refuses deeply nested JSON and keeps the last of duplicate keys, as JSON.parse does', async () => {
    const depth = 4_000;
    const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expectRefused(await raw('/open-user-ib', nested));
    expectRefused(
      await raw('/open-user-ib', `{"requestId":"bad-input-0003","customerId":"100001","x":${nested}}`),
    );
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    expectRefused(await raw('/mfa/challenges', `{"purpose":"ONBOARDING","phone":${arrays}}`));
    // Duplicate keys: the last one wins, so an invalid last value is refused even after a valid one.
    expectRefused(
      await raw(
        '/open-user-ib',
        '{"requestId":"bad-input-0004","customerId":"100001","customerId":"1000\\u000001","channel":"MOBILE","acceptedDisclosures":["IB_TERMS","PRIVACY"]}',
      ),
    );
    expectRefused(
      await raw(
        '/open-user-ib',
        '{"requestId":"bad-input-0004","customerId":"100001","channel":"MOBILE","channel":"FAX","acceptedDisclosures":["IB_TERMS","PRIVACY"]}',
      ),
    );
    await nothingCreated();
  });

  it('refuses a replayed idempotency key with another body, by header or requestId, with nothing new created', async () => {
    const first = await open({ ...valid, requestId: 'bad-input-0005' }, { prefer: 'wait=20' });
    expect(first.status).toBe(201);
    const users = async (id: string) =>
      (await call(stack.simulatorUrl, 'GET', `/admin/customers/${id}`)).body.ibUsers as unknown[];
    const smsBefore = stack.outbox('sms').length;
    const webhooksBefore = stack.outbox('webhooks').length;

    for (const other of [
      { channel: 'BRANCH' },
      { preferredUsername: 'someone.else' },
      { acceptedDisclosures: [...disclosures, 'MARKETING'] },
      { phone: '+254700100001' },
    ])
      expectRefused(await open({ ...valid, requestId: 'bad-input-0005', ...other }), 422);
    // The same key in the Idempotency-Key header with another body.
    const { requestId: _omit, ...noId } = valid;
    expectRefused(await open({ ...noId, channel: 'BRANCH' }, { 'idempotency-key': 'bad-input-0005' }), 422);
    // An exact replay is still a replay after all those refusals.
    const replay = await open({ ...valid, requestId: 'bad-input-0005' });
    expect(replay.status).toBe(201);
    expect(JSON.parse(replay.text)).toMatchObject({ processId: 'onboard-100001', status: 'COMPLETED' });

    expect(await users('100001')).toHaveLength(1);
    expect(stack.outbox('sms')).toHaveLength(smsBefore);
    expect(stack.outbox('webhooks')).toHaveLength(webhooksBefore);
    expect(await users('100005')).toEqual([]);
  });

  it('replaces a preferred username with control characters or unicode by a generated one', async () => {
    const res = await open(
      {
        ...valid,
        requestId: 'bad-input-0006',
        customerId: '100005',
        preferredUsername: 'grace\u0000\u001b[31mnjeri\u202e💥',
      },
      { prefer: 'wait=20' },
    );
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text) as { username: string };
    expect(body.username).toMatch(/^ib[a-z0-9]{8}$/);
    const sms = stack.outbox('sms').filter((m) => m.to === '+254700100005');
    expect(sms).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(String(sms[0]?.body)).not.toMatch(/[\u0000-\u001f\u202e💥]/u);
  });

  it('answers a method a documented path does not take with 405 and Allow, an unknown path with 404', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/open-user-ib', 'POST'],
      ['PATCH', '/healthz', 'GET, HEAD'],
      ['PUT', '/mfa/challenges/5f0c2a4e-1b7e-4a8e-9d1c-3f2b6a7c8d9e/verify', 'POST'],
      ['PATCH', '/services/data/v1/RBObjects/operations/DbxUser/requestOTPPreLoginMB', 'POST'],
    ] as const) {
      const res = await fetch(stack.apiUrl + path, { method, headers: { authorization: `Bearer ${token}` } });
      expect({ path, status: res.status, allow: res.headers.get('allow') }).toEqual({
        path,
        status: 405,
        allow,
      });
      // Infinity paths answer errors in Infinity's shape, the rest as problem+json.
      if (!path.startsWith('/services/'))
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const unknown = await fetch(`${stack.apiUrl}/open-user-ib/extra`, { method: 'PATCH' });
    expect(unknown.status).toBe(404);
  });
});

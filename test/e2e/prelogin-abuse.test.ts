import type { WorkflowClientInterceptor } from '@temporalio/client';
import { mintDevToken } from '../../lib/dev-keys';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';

/**
 * Toll fraud through pre-login codes: a caller asks for codes to numbers it chose. Only
 * valid mobile numbers of MFA_ALLOWED_COUNTRIES (here the default, KE) get one; anything
 * else is 422 DESTINATION_NOT_ALLOWED and nothing is sent or started.
 */
describe('pre-login destinations', () => {
  let stack: Stack;
  let token: string;
  const sentTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const mfaRuns = async () => {
    let n = 0;
    for await (const _ of stack.client.workflow.list({ query: "WorkflowType = 'MfaChallenge'" })) n++;
    return n;
  };

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('mfa:prelogin');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['a foreign mobile', '+447911123456', 'COUNTRY_NOT_ALLOWED'],
    ['a neighbouring country', '+255610010001', 'COUNTRY_NOT_ALLOWED'],
    ['a fixed line', '+254200000000', 'CANNOT_RECEIVE_SMS'],
    ['a number no plan has', '+254700100', 'NOT_A_VALID_NUMBER'],
  ])('refuses %s with 422 and sends nothing', async (_what, phone, reason) => {
    const runsBefore = await mfaRuns();
    const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'ONBOARDING', phone },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', reason });
    expect(sentTo(phone)).toEqual([]);
    expect(await mfaRuns()).toBe(runsBefore);
  });

  it('refuses the same on the Infinity pre-login operation', async () => {
    const res = await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
      token,
      body: { Phone: '+447911123456' },
    });
    expect(res.body).toMatchObject({ dbpErrCode: '10588' });
    expect(sentTo('+447911123456')).toEqual([]);
  });

  it('sends to a mobile of an allowed country', async () => {
    const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'ONBOARDING', phone: '+254711200001' },
    });
    expect(res.status).toBe(201);
    expect(sentTo('+254711200001')).toHaveLength(1);
  });
});

/**
 * Toll fraud across many numbers: each token subject gets MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR
 * pre-login codes, durably, across destinations and client addresses (behind a trusted
 * proxy each client network has a cap of its own too: test/e2e/send-budgets.test.ts). A
 * user's own codes are not charged to it.
 */
describe('pre-login codes per caller', () => {
  let stack: Stack;
  let seq = 0;
  const phone = () => `+2547005${String(++seq).padStart(5, '0')}`;
  const ask = (token: string, headers: Record<string, string> = {}) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      headers,
      body: { purpose: 'ONBOARDING', phone: phone() },
    });

  beforeAll(async () => {
    stack = await startStack({
      MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: '3',
      MFA_PRELOGIN_CALLER_SHARDS: '1',
      TRUST_PROXY: 'loopback',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a caller past its hourly budget with 429 and Retry-After, sending nothing', async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'fraud-app' });
    for (let i = 0; i < 3; i++) expect((await ask(app)).status).toBe(201);
    const smsBefore = stack.outbox('sms').length;
    const refused = await ask(app);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'CALLER_RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(stack.outbox('sms').length).toBe(smsBefore);

    // Another caller has its own; the same subject from another client behind the proxy does not.
    const other = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'other-app' });
    expect((await ask(other)).status).toBe(201);
    expect((await ask(app, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    // A registered user's own code is not a pre-login code.
    const user = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
      body: {
        businessKey: 'caller-quota',
        customerId: '100001',
        username: 'amina.wanjiru',
        channel: 'MB',
        acceptedDisclosures: [],
      },
    });
    const channel = await mintDevToken(stack.config, {
      scopes: ['mfa:write', 'mfa:any-user'],
      subject: 'fraud-app',
    });
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: channel,
      body: { purpose: 'LOGIN', userId: user.body.userId },
    });
    expect(login.status).toBe(201);
  });
});

describe('a sharded caller budget', () => {
  let stack: Stack;
  /** Reservations the API sent to a caller's quota shards (update-with-start on mfa-caller-*). */
  const shardUpdates: string[] = [];
  const watchShards: WorkflowClientInterceptor = {
    startUpdateWithStart(input, next) {
      const id = input.workflowStartOptions.workflowId;
      if (id.startsWith('mfa-caller-')) shardUpdates.push(id);
      return next(input);
    },
  };
  const prelogin = (token: string, phone: string, headers: Record<string, string> = {}) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      headers,
      body: { purpose: 'ONBOARDING', phone },
    });
  beforeAll(async () => {
    stack = await startStack(
      { MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: '8', MFA_PRELOGIN_CALLER_SHARDS: '4' },
      { apiClientInterceptors: [watchShards] },
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('spreads one caller over its shards and holds the limit exactly', async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'busy-app' });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: app,
        body: { purpose: 'ONBOARDING', phone: `+2547006${String(i).padStart(5, '0')}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(8).fill(201), ...Array<number>(6).fill(429)]);
    let shards = 0;
    for await (const _ of stack.client.workflow.list({ query: "WorkflowId STARTS_WITH 'mfa-caller-'" }))
      shards++;
    expect(shards).toBeGreaterThan(1);
    expect(shards).toBeLessThanOrEqual(4);
  });
  it('refuses a caller over budget at once, 429 with Retry-After, without asking its shards', async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'flooding-app' });
    for (let i = 0; i < 8; i++)
      expect((await prelogin(app, `+2547007${String(i).padStart(5, '0')}`)).status).toBe(201);
    // The send that filled each shard said so, and until when: no refusal asks any of them.
    const smsBefore = stack.outbox('sms').length;
    shardUpdates.length = 0;
    for (let i = 0; i < 12; i++) {
      const res = await prelogin(app, `+2547008${String(i).padStart(5, '0')}`);
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ code: 'CALLER_RATE_LIMITED' });
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(3000);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    // The Infinity twin spends the same budget: refused as well, at no shard's cost.
    const infinity = await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
      token: app,
      body: { Phone: '+254700899999' },
    });
    expect(infinity.status).toBe(429);
    expect(infinity.body).toMatchObject({ dbpErrCode: '10576' });
    expect(shardUpdates).toEqual([]);
    expect(stack.outbox('sms').length).toBe(smsBefore);

    // Another caller is not refused by what this one spent.
    const other = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'quiet-app' });
    expect((await prelogin(other, '+254700900001')).status).toBe(201);
    expect(shardUpdates).toHaveLength(1);
  });

  it('answers a keyed retry of an admitted create as before, once the budget is spent', async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'keyed-app' });
    const keyed = { 'idempotency-key': 'keyed-app-first-create' };
    const admitted = await prelogin(app, '+254700910000', keyed);
    expect(admitted.status).toBe(201);
    for (let i = 1; i < 8; i++)
      expect((await prelogin(app, `+2547009${String(i).padStart(5, '0')}`)).status).toBe(201);
    expect((await prelogin(app, '+254700919999')).status).toBe(429);
    expect((await prelogin(app, '+254700919998')).status).toBe(429);
    // Every shard is known full now: the retry is still the admitted challenge, not a 429.
    const retried = await prelogin(app, '+254700910000', keyed);
    expect(retried.status).toBe(201);
    expect(retried.body.serviceKey).toBe(admitted.body.serviceKey);
    expect(retried.body.securityKey).toBe(admitted.body.securityKey);
    expect(stack.outbox('sms').filter((m) => m.to === '+254700910000')).toHaveLength(1);
  });
});

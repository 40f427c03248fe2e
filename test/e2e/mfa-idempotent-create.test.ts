import { mintDevToken } from '../../lib/dev-keys';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * A create whose answer was lost is retried with the same Idempotency-Key: it names the
 * same challenge, gets the same keys back and sends nothing more (no orphan challenge, no
 * second code). Keys are scoped to the caller; another body under a used key is 422.
 */
describe('POST /mfa/challenges with an Idempotency-Key', () => {
  let stack: Stack;
  let token: string;
  const sentTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const runsOf = async (serviceKey: string) => {
    let n = 0;
    for await (const _ of stack.client.workflow.list({ query: `WorkflowId = 'mfa-${serviceKey}'` })) n++;
    return n;
  };
  const create = (body: Record<string, unknown>, key: string, as = token) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', { token: as, body, headers: { 'idempotency-key': key } });

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('mfa:prelogin');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a retry with the same challenge and keys, and sends one code', async () => {
    const body = { purpose: 'ONBOARDING', phone: '+254711800001' };
    const first = await create(body, 'retry-key-0001');
    const again = await create(body, 'retry-key-0001');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.serviceKey).toBe(first.body.serviceKey);
    expect(again.body.securityKey).toBe(first.body.securityKey);
    expect(sentTo(body.phone)).toHaveLength(1);
    expect(await runsOf(String(first.body.serviceKey))).toBe(1);

    // The replayed keys work: the code verifies with them.
    const code = /(\d{6}) is your verification code/.exec(String(sentTo(body.phone)[0]?.body))?.[1];
    const verified = await call(
      stack.apiUrl,
      'POST',
      `/mfa/challenges/${String(again.body.serviceKey)}/verify`,
      {
        token,
        body: { securityKey: again.body.securityKey, otp: code },
      },
    );
    expect(verified.body).toMatchObject({ status: 'VERIFIED' });
  });

  it('refuses the key with another body, and sends nothing for it', async () => {
    expect((await create({ purpose: 'ONBOARDING', phone: '+254711800002' }, 'reused-key-0001')).status).toBe(
      201,
    );
    const other = await create({ purpose: 'ONBOARDING', phone: '+254711800003' }, 'reused-key-0001');
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(sentTo('+254711800003')).toEqual([]);
  });

  it('scopes keys to the caller: another caller with the same key gets its own challenge', async () => {
    const body = { purpose: 'ONBOARDING', phone: '+254711800004' };
    const mine = await create(body, 'shared-key-0001');
    const other = await create(
      body,
      'shared-key-0001',
      await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'other-app' }),
    );
    expect(other.status).toBe(201);
    expect(other.body.serviceKey).not.toBe(mine.body.serviceKey);
    expect(other.body.securityKey).not.toBe(mine.body.securityKey);
  });

  it('validates the key', async () => {
    const res = await create({ purpose: 'ONBOARDING', phone: '+254711800005' }, 'x');
    expect(res.status).toBe(400);
    expect(sentTo('+254711800005')).toEqual([]);
  });
});

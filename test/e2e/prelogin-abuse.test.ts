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

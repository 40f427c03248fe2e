import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/**
 * POST /open-user-ib consuming a verified pre-login ONBOARDING challenge (`phoneProof`)
 * through HTTP, the real worker, the simulator and the SMS outbox, with the bank requiring
 * one (ONBOARDING_REQUIRES_PHONE_PROOF=true).
 */
describe('account opening with a phone proof', () => {
  let stack: Stack;
  let bank: string;
  let app: string;

  beforeAll(async () => {
    stack = await startStack({ ONBOARDING_REQUIRES_PHONE_PROOF: 'true' });
    bank = await stack.token('ib-users:write processes:read');
    app = await stack.token('mfa:prelogin');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const smsTo = (to: string) => stack.outbox('sms').filter((m) => m.to === to);
  const customer = (customerId: string, phone: string) =>
    call(stack.simulatorUrl, 'POST', '/admin/customers', {
      body: { customerId, firstName: 'Proof', lastName: customerId, phone, products: [`SAV-${customerId}`] },
    });
  const usersOf = async (customerId: string) =>
    (await call(stack.simulatorUrl, 'GET', `/admin/customers/${customerId}`)).body.ibUsers as unknown[];
  const open = (customerId: string, requestId: string, extra: Record<string, unknown> = {}) =>
    call(stack.apiUrl, 'POST', '/open-user-ib', {
      token: bank,
      body: {
        requestId,
        customerId,
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
        ...extra,
      },
    });

  /** A pre-login ONBOARDING code to `phone`, verified as the app would. */
  async function provenPhone(phone: string) {
    const created = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: app,
      body: { purpose: 'ONBOARDING', phone },
    });
    expect(created.status).toBe(201);
    const serviceKey = created.body.serviceKey as string;
    const securityKey = created.body.securityKey as string;
    const sms = stack.outbox('sms').find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
    const otp = /(\d{6}) is your verification code/.exec(String(sms?.body))?.[1];
    const verified = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
      token: app,
      body: { securityKey, otp },
    });
    expect(verified.status).toBe(200);
    return { serviceKey, securityKey };
  }

  it('refuses an opening without a proof when the bank requires one: 403 MFA_REQUIRED, nothing created', async () => {
    await customer('700001', '+254700700001');
    const res = await open('700001', 'proof-none-0001');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('MFA_REQUIRED');
    expect(await usersOf('700001')).toEqual([]);
  });

  it('matches a number on file core banking spells with its trunk prefix: the proof of the canonical number opens', async () => {
    await customer('700010', '+2540700700010');
    const proof = await provenPhone('+254700700010');
    const res = await open('700010', 'proof-trunk-0001', { phoneProof: proof });
    expect(res.status).toBe(201);
    expect(smsTo('+254700700010').filter((m) => String(m.body).includes('first-time password'))).toHaveLength(
      1,
    );
  });

  it('consumes the proof once, and the first-time password goes to the proven number', async () => {
    await customer('700002', '+254700700002');
    const proof = await provenPhone('+254700700002');
    const before = smsTo('+254700700002').length;
    const res = await open('700002', 'proof-ok-0001', { phoneProof: proof });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'COMPLETED',
      credentialDelivery: { channel: 'SMS', to: '+254••••••002' },
    });
    const sent = smsTo('+254700700002').slice(before);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]?.body)).toContain('first-time password');

    // Consumed by this onboarding, once.
    const state = await call(stack.apiUrl, 'GET', `/mfa/challenges/${proof.serviceKey}`, { token: app });
    expect(state.body).toMatchObject({ status: 'CONSUMED', consumedBy: res.body.processId });
    // The same request replays; another onboarding cannot use the spent proof.
    const replay = await open('700002', 'proof-ok-0001', { phoneProof: proof });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await customer('700003', '+254700700002');
    const again = await open('700003', 'proof-reuse-0001', { phoneProof: proof });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('MFA_NOT_VERIFIED');
    expect(await usersOf('700003')).toEqual([]);
  }, 90_000);

  it('refuses a proof of another number than the one on file: nothing created, no password sent, proof unspent', async () => {
    await customer('700004', '+254700700004');
    const elsewhere = await provenPhone('+254700700099');
    const res = await open('700004', 'proof-other-0001', { phoneProof: elsewhere });
    if (res.status === 202) await waitForProcess(stack, String(res.body.processId));
    const outcome = await call(stack.apiUrl, 'GET', `/processes/onboard-700004`, { token: bank });
    expect(outcome.body).toMatchObject({ status: 'FAILED', error: { code: 'MFA_NOT_VERIFIED' } });
    expect(await usersOf('700004')).toEqual([]);
    expect(smsTo('+254700700004')).toHaveLength(0);
    const state = await call(stack.apiUrl, 'GET', `/mfa/challenges/${elsewhere.serviceKey}`, { token: app });
    expect(state.body.status).toBe('VERIFIED');

    // A wrong securityKey is refused before anything starts.
    const forged = await open('700004', 'proof-forged-0001', {
      phoneProof: { serviceKey: elsewhere.serviceKey, securityKey: 'x'.repeat(43) },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('MFA_NOT_VERIFIED');
  }, 90_000);
});

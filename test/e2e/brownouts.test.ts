import { FTP, OTP, Receivers } from '../../scripts/chaos/receiver';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/**
 * Brownouts through HTTP on the dev server, with the real worker and simulator: the SMS
 * gateway (a Kannel-protocol `sendsms` receiver of this test) or core banking answers
 * slowly, inside the adapters' own timeouts. Every SMS is counted where it arrives, at
 * the gateway, never through an outbox (which would de-duplicate by message id): one
 * message sent must be one message received.
 */
describe('brownouts end to end: slow dependencies repeat nothing the customer sees', () => {
  let stack: Stack;
  let token: string;
  const receivers = new Receivers();
  const disclosures = ['IB_TERMS', 'PRIVACY'];

  beforeAll(async () => {
    await receivers.start();
    stack = await startStack(receivers.env());
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read');
  }, 120_000);
  afterEach(async () => {
    receivers.slow = { smsMs: 0, smtpMs: 0, webhookMs: 0 };
    await admin('PUT', '/admin/faults', { latencyMs: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    await receivers.stop();
  });

  const api = (method: string, url: string, body?: unknown) =>
    call(stack.apiUrl, method, url, { token, body });
  const admin = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const smsTo = (phone: string) => receivers.sms().filter((d) => d.to === phone);

  let seq = 0;
  async function customer() {
    const customerId = String(620_000 + ++seq);
    const phone = `+2547062${String(seq).padStart(5, '0')}`;
    const res = await admin('POST', '/admin/customers', {
      customerId,
      firstName: 'Brown',
      lastName: 'Out',
      phone,
      email: `brownout.${customerId}@example.com`,
      products: [`SAV-${customerId}`],
    });
    expect(res.status).toBe(201);
    return { customerId, phone };
  }

  /** Onboards through POST /open-user-ib and waits for the run's end; returns the user. */
  async function onboard(customerId: string) {
    const res = await api('POST', '/open-user-ib', {
      requestId: `e2e-brownout-${customerId}`,
      customerId,
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    expect([201, 202]).toContain(res.status);
    const done = await waitForProcess(stack, `onboard-${customerId}`, 110_000);
    expect(done.body.status).toBe('COMPLETED');
    return (done.body.result as { userId: string }).userId;
  }

  const passwordWorks = async (userId: string, password: string) =>
    (await admin('POST', `/admin/ib-users/${userId}/verify-password`, { password })).body.matches;

  it('a gateway answering each sendsms after 6 s gets one SMS per LOGIN code, and the code verifies', async () => {
    const { customerId, phone } = await customer();
    const userId = await onboard(customerId);
    receivers.slow.smsMs = 6_000;

    const created = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId });
    expect([201, 202]).toContain(created.status);
    const serviceKey = created.body.serviceKey as string;
    for (let i = 0; i < 120; i++) {
      if ((await api('GET', `/mfa/challenges/${serviceKey}`)).body.status !== 'SENDING') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // Long enough for a second attempt's send to arrive, if one were made.
    await new Promise((r) => setTimeout(r, 8_000));
    const codes = smsTo(phone).filter((d) => OTP.test(d.text));
    expect(codes).toHaveLength(1);
    const otp = OTP.exec(codes[0]?.text ?? '')?.[1] as string;
    const verified = await api('POST', `/mfa/challenges/${serviceKey}/verify`, {
      securityKey: created.body.securityKey,
      otp,
    });
    expect(verified.status).toBe(200);
  }, 120_000);

  it('a gateway answering after 6 s gets one first-time password SMS per onboarding', async () => {
    const { customerId, phone } = await customer();
    receivers.slow.smsMs = 6_000;
    const userId = await onboard(customerId);
    await new Promise((r) => setTimeout(r, 8_000));
    const passwords = smsTo(phone).filter((d) => FTP.test(d.text));
    expect(passwords).toHaveLength(1);
    expect(await passwordWorks(userId, FTP.exec(passwords[0]?.text ?? '')?.[1] as string)).toBe(true);
  }, 120_000);

  it('core banking answering every call after 3 s: one first-time password SMS, and it is the password set', async () => {
    const { customerId, phone } = await customer();
    await admin('PUT', '/admin/faults', { latencyMs: 3_000 });
    const userId = await onboard(customerId);
    await admin('PUT', '/admin/faults', { latencyMs: 0 });
    await new Promise((r) => setTimeout(r, 4_000));
    const passwords = smsTo(phone).filter((d) => FTP.test(d.text));
    expect(passwords).toHaveLength(1);
    expect(await passwordWorks(userId, FTP.exec(passwords[0]?.text ?? '')?.[1] as string)).toBe(true);
  }, 150_000);
});

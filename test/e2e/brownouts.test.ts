import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FTP, OTP, Receivers } from '../../scripts/chaos/receiver';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';
import { temporalCliPath } from '../setup/tools';

const run = promisify(execFile);

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
    stack = await startStack({ ...receivers.env(), MFA_RESEND_COOLDOWN_SECONDS: '2' });
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read');
  }, 120_000);
  afterEach(async () => {
    receivers.slow = { smsMs: 0, smtpMs: 0, webhookMs: 0 };
    receivers.smtpDown = false;
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

  it('an SMTP server answering each message after 6 s gets one email per LOGIN code, and the SMS one', async () => {
    const { customerId, phone } = await customer();
    const userId = await onboard(customerId);
    const email = `brownout.${customerId}@example.com`;
    receivers.slow.smtpMs = 6_000;

    const created = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId });
    expect([201, 202]).toContain(created.status);
    // Long enough for a second attempt's send to arrive, if one were made.
    await new Promise((r) => setTimeout(r, 16_000));
    const mails = receivers.emails().filter((d) => d.to === email && OTP.test(d.text));
    expect(mails).toHaveLength(1);
    expect(smsTo(phone).filter((d) => OTP.test(d.text))).toHaveLength(1);
  }, 120_000);

  it('a gateway answering after 6 s gets one first-time password SMS per onboarding', async () => {
    const { customerId, phone } = await customer();
    receivers.slow.smsMs = 6_000;
    const userId = await onboard(customerId);
    await new Promise((r) => setTimeout(r, 8_000));
    const passwords = smsTo(phone).filter((d) => FTP.test(d.text));
    expect(passwords).toHaveLength(1);
    // The sends are regular activities, recorded as they complete: a workflow task failing
    // after them (a crash, a codec error, a bug) cannot run them again, as it would local ones.
    const history = await stack.client.workflow.getHandle(`onboard-${customerId}`).fetchHistory();
    const scheduled = (history.events ?? []).map(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    expect(scheduled).toEqual(expect.arrayContaining(['syncUsernameToChannel', 'issueFirstTimePassword']));
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

  it('with the SMTP server down, a LOGIN code that reached the phone verifies; the email leg keeps retrying, shown in the state', async () => {
    const { customerId, phone } = await customer();
    const userId = await onboard(customerId);
    const email = `brownout.${customerId}@example.com`;
    receivers.smtpDown = true;

    const created = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId });
    expect([201, 202]).toContain(created.status);
    const serviceKey = created.body.serviceKey as string;
    const state = () => api('GET', `/mfa/challenges/${serviceKey}`);
    let otp: string | undefined;
    for (let i = 0; i < 120 && !otp; i++) {
      otp = OTP.exec(smsTo(phone).find((d) => OTP.test(d.text))?.text ?? '')?.[1];
      if (!otp) await new Promise((r) => setTimeout(r, 250));
    }
    expect(otp).toBeDefined();
    for (let i = 0; i < 120 && (await state()).body.status === 'SENDING'; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await state()).body).toMatchObject({
      status: 'PENDING',
      deliveries: [
        { channel: 'SMS', status: 'SENT' },
        { channel: 'EMAIL', status: 'SENDING' },
      ],
    });
    const verified = await api('POST', `/mfa/challenges/${serviceKey}/verify`, {
      securityKey: created.body.securityKey,
      otp,
    });
    expect(verified.status).toBe(200);

    // SMTP back: the email leg gets the same code out, once.
    receivers.smtpDown = false;
    for (let i = 0; i < 240; i++) {
      const legs = (await state()).body.deliveries as { channel: string; status: string }[];
      if (legs.every((l) => l.status === 'SENT')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await state()).body.deliveries).toEqual([
      { channel: 'SMS', status: 'SENT' },
      { channel: 'EMAIL', status: 'SENT' },
    ]);
    const mails = receivers.emails().filter((d) => d.to === email && d.text.includes(otp as string));
    expect(mails).toHaveLength(1);
  }, 180_000);

  it('a client retrying verify, resend or cancel after a lost answer gets the first outcome: nothing counted or sent twice', async () => {
    const { customerId, phone } = await customer();
    const userId = await onboard(customerId);
    const created = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId });
    const serviceKey = created.body.serviceKey as string;
    const securityKey = created.body.securityKey as string;
    let otp: string | undefined;
    for (let i = 0; i < 120 && !otp; i++) {
      otp = OTP.exec(smsTo(phone).find((d) => OTP.test(d.text))?.text ?? '')?.[1];
      if (!otp) await new Promise((r) => setTimeout(r, 250));
    }
    const wrong = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
    const verify = (code: string) =>
      api('POST', `/mfa/challenges/${serviceKey}/verify`, { securityKey, otp: code });

    // The same wrong code sent twice (the answer to the first was lost): counted once.
    const first = await verify(wrong);
    const retried = await verify(wrong);
    expect(first.status).toBe(422);
    expect(retried.status).toBe(422);
    expect(retried.body.remainingVerifyAttempts).toBe(first.body.remainingVerifyAttempts);
    const state = await api('GET', `/mfa/challenges/${serviceKey}`);
    expect(state.body.remainingVerifyAttempts).toBe(first.body.remainingVerifyAttempts);

    // A resend retried under its Idempotency-Key: one resend, one more SMS.
    await new Promise((r) => setTimeout(r, 2_500)); // the resend cooldown
    const before = smsTo(phone).length;
    const resend = () =>
      call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/resend`, {
        token,
        body: { securityKey },
        headers: { 'Idempotency-Key': `resend-${serviceKey}` },
      });
    const resent = await resend();
    const resentAgain = await resend();
    expect(resent.status).toBe(200);
    expect(resentAgain.status).toBe(200);
    expect(resentAgain.body.remainingResendAttempts).toBe(resent.body.remainingResendAttempts);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smsTo(phone).length).toBe(before + 1);

    // The right code, retried: a success stays a success.
    expect((await verify(otp as string)).status).toBe(200);
    expect((await verify(otp as string)).status).toBe(200);
  }, 180_000);

  /** `temporal workflow reset` as ops would run it; resolves once the new run ended. */
  async function reset(workflowId: string, type: string) {
    const before = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    await run(temporalCliPath, [
      ...[
        'workflow',
        'reset',
        '--address',
        stack.env.address,
        '--namespace',
        stack.env.namespace ?? 'default',
      ],
      ...['--workflow-id', workflowId, '--reason', 'e2e: ops reset after the first login', '--type', type],
    ]);
    expect((await stack.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(before);
    return waitForProcess(stack, workflowId, 60_000);
  }

  it('ops resets of an onboarding after the first login keep the customer’s own password, send no second password and arm no new expiry', async () => {
    const { customerId, phone } = await customer();
    const userId = await onboard(customerId);
    const [sent] = smsTo(phone).filter((d) => FTP.test(d.text));
    const firstTime = FTP.exec(sent?.text ?? '')?.[1] as string;
    expect(await passwordWorks(userId, firstTime)).toBe(true);

    // The customer logs in and chooses their own password (the channel's IdP writes it
    // through the ESB, unconditionally); the channel reports the first login.
    const own = 'Customers-Own-Pass-42';
    const chosen = await call(stack.simulatorUrl, 'PUT', `/esb/v1/ib-users/${userId}/password`, {
      body: { password: own, mustChange: false },
    });
    expect(chosen.status).toBe(204);
    expect((await api('POST', `/users/${userId}/first-login`)).body.expiryStopped).toBe(true);
    const expiry = stack.client.workflow.getHandle(`pwexpiry-${userId}`);
    expect(await expiry.result()).toMatchObject({ outcome: 'FIRST_LOGIN' });
    const expiryRun = (await expiry.describe()).runId;

    for (const type of ['LastWorkflowTask', 'FirstWorkflowTask']) {
      const after = await reset(`onboard-${customerId}`, type);
      expect(after.body).toMatchObject({ status: 'COMPLETED', result: { userId } });
      expect(await passwordWorks(userId, own)).toBe(true);
      expect(await passwordWorks(userId, firstTime)).toBe(false);
      // No new expiry run, which would later revoke the customer's own password.
      expect((await expiry.describe()).runId).toBe(expiryRun);
    }
    // One password SMS at the gateway, ever, and one username webhook at the channel's
    // receiver (the customer has logged in with it: the reset runs announce nothing again).
    expect(smsTo(phone).filter((d) => FTP.test(d.text))).toHaveLength(1);
    expect(
      receivers
        .webhooks()
        .filter((w) => w.type === 'ib_user.username_assigned' && w.payload?.userId === userId),
    ).toHaveLength(1);
  }, 180_000);
});

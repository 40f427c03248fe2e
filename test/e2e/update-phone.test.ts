import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../adapters/webhooks/signature';
import { encodings } from '../helpers/history';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';
import { openChallenge } from '../helpers/mfa-challenge';

const SECRET = 'whsec_' + Buffer.from('linked-system-alerts-secret-0001').toString('base64');

/** A linked system's webhook receiver that can be taken down, de-duplicating by webhook-id. */
function alertsReceiver() {
  const received = new Map<string, Record<string, unknown>>();
  const state = { down: false, refused: 0, duplicates: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (state.down) {
        state.refused++;
        return res.writeHead(503).end();
      }
      if (!verifyWebhook(SECRET, req.headers, body)) return res.writeHead(401).end();
      const id = String(req.headers['webhook-id']);
      if (received.has(id)) {
        state.duplicates++;
        return res.writeHead(409).end();
      }
      received.set(id, JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  return { server, received, state };
}

/**
 * POST /update-user-ib and PUT /customers/{id}/contact-info through HTTP on the dev
 * server, with the real worker, the simulator, the outboxes and a live webhook receiver.
 */
describe('phone and contact-info updates end to end', () => {
  let stack: Stack;
  let token: string;
  const alerts = alertsReceiver();

  beforeAll(async () => {
    await new Promise<void>((r) => alerts.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(alerts.server.address() as AddressInfo).port}/hooks`;
    stack = await startStack({
      LINKED_SYSTEMS: JSON.stringify([{ name: 'otp-delivery' }, { name: 'alerts', url, secret: SECRET }]),
    });
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => alerts.server.close(r));
  });

  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
    call(stack.apiUrl, method, url, { token, body, headers });
  const customer = async (id: string) =>
    (await call(stack.simulatorUrl, 'GET', `/admin/customers/${id}`)).body;
  const smsTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const codeSentTo = (phone: string) =>
    /(\d{6}) is your verification code/.exec(String(smsTo(phone).at(-1)?.body))?.[1];

  async function onboard(customerId: string): Promise<string> {
    const res = await api('POST', '/open-user-ib', {
      requestId: `upd-onboard-${customerId}`,
      customerId,
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    expect(res.status).toBe(201);
    return res.body.userId as string;
  }

  /** An UPDATE_PHONE challenge to `phone` for `userId`, verified with the code from the outbox. */
  const provenNumber = async (userId: string, phone: string, verify = true) => {
    const { serviceKey, securityKey } = await openChallenge(
      api,
      { purpose: 'UPDATE_PHONE', userId, phone },
      () => codeSentTo(phone),
      verify,
    );
    return { serviceKey, securityKey };
  };

  /** A STEP_UP challenge for `userId` (code to the contacts on file), verified with the SMS to `onFile`. */
  const steppedUp = async (userId: string, onFile: string, verify = true) => {
    const { serviceKey, securityKey, created } = await openChallenge(
      api,
      { purpose: 'STEP_UP', userId },
      () => codeSentTo(onFile),
      verify,
    );
    expect(created.customerCommunication).toMatchObject({ phone: [{ masked: expect.any(String) }] });
    return { serviceKey, securityKey };
  };

  /** The phone core banking has on file, read through the ESB contract. */
  const esbPhone = async (customerId: string) =>
    (await call(stack.simulatorUrl, 'GET', `/esb/v1/customers/${customerId}`)).body.mobilePhone;
  const challengeStatus = async (serviceKey: string) =>
    (await api('GET', `/mfa/challenges/${serviceKey}`)).body.status;

  it('changes the phone with a verified challenge: core banking, every linked system, and notices to old, new and email', async () => {
    const userId = await onboard('100005');
    const newPhone = '+254711500005';
    const stepUp = await steppedUp(userId, '+254700100005');
    const mfa = await provenNumber(userId, newPhone);
    const res = await api('POST', '/update-user-ib', {
      requestId: 'upd-phone-0001',
      userId,
      newPhone,
      mfa,
      stepUp,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      processId: `phone-${userId}`,
      status: 'COMPLETED',
      changed: ['phone'],
      phone: '+254••••••005',
      propagatedTo: ['otp-delivery', 'alerts'],
    });
    expect(res.body.notifications).toEqual([
      { channel: 'SMS', to: '+254••••••005', status: 'SENT', kind: 'SECURITY_NOTICE' },
      { channel: 'SMS', to: '+254••••••005', status: 'SENT', kind: 'CONFIRMATION' },
      {
        channel: 'EMAIL',
        to: expect.stringMatching(/^g•+@example\.com$/),
        status: 'SENT',
        kind: 'SECURITY_NOTICE',
      },
    ]);
    expect((await customer('100005')).mobilePhone).toBe(newPhone);

    const outboxed = stack.outbox('webhooks').filter((w) => w.type === 'customer.contact_changed');
    expect(outboxed.filter((w) => String(w.webhookId).endsWith('.otp-delivery'))).toHaveLength(1);
    const delivered = [...alerts.received.values()].filter(
      (b) => (b.data as { userId?: string }).userId === userId,
    );
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      type: 'customer.contact_changed',
      data: { phone: newPhone, changed: ['phone'] },
    });

    expect(String(smsTo('+254700100005').at(-1)?.body)).toMatch(
      /mobile number .* was changed\. If this was not you/,
    );
    expect(String(smsTo(newPhone).at(-1)?.body)).toMatch(/this is now the mobile number/);
    expect(
      stack
        .outbox('email')
        .filter((m) => m.to === 'grace.njeri@example.com')
        .at(-1),
    ).toMatchObject({
      subject: expect.stringMatching(/contact details were changed/),
    });

    // The same request replays; the spent challenge cannot serve another update.
    const replay = await api('POST', '/update-user-ib', {
      requestId: 'upd-phone-0001',
      userId,
      newPhone,
      mfa,
      stepUp,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const again = await api('POST', '/update-user-ib', {
      requestId: 'upd-phone-0002',
      userId,
      newPhone: '+254711500099',
      mfa,
      stepUp,
    });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('MFA_NOT_VERIFIED');
    expect((await customer('100005')).mobilePhone).toBe(newPhone);

    // From now on, challenges for this user go to the new number.
    const login = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId });
    expect(login.status).toBe(201);
    expect(login.body.customerCommunication).toMatchObject({ phone: [{ masked: '+254••••••005' }] });
    expect(smsTo(newPhone).at(-1)?.body).toMatch(/verification code/);
  }, 90_000);

  it('changes nothing without a verified proof of the new number for this user', async () => {
    const userId = await onboard('100001');
    const before = await customer('100001');
    const target = '+254711100001';
    const noMfa = await api('POST', '/update-user-ib', {
      requestId: 'upd-nomfa-0001',
      userId,
      newPhone: target,
    });
    expect(noMfa.status).toBe(403);
    expect(noMfa.body.code).toBe('MFA_REQUIRED');

    // A valid step-up throughout: what is refused here is the proof of the new number.
    const stepUp = await steppedUp(userId, before.mobilePhone as string);
    const unverified = await provenNumber(userId, target, false);
    const r1 = await api('POST', '/update-user-ib', {
      requestId: 'upd-unver-0001',
      userId,
      newPhone: target,
      mfa: unverified,
      stepUp,
    });
    expect(r1.status).toBe(403);
    expect(r1.body.code).toBe('MFA_NOT_VERIFIED');

    const proven = await provenNumber(userId, target);
    const wrongKey = { ...proven, securityKey: 'x'.repeat(43) };
    const r2 = await api('POST', '/update-user-ib', {
      requestId: 'upd-badkey-0001',
      userId,
      newPhone: target,
      mfa: wrongKey,
      stepUp,
    });
    expect(r2.status).toBe(403);
    // A proof of one number does not change the phone to another.
    const r3 = await api('POST', '/update-user-ib', {
      requestId: 'upd-other-0001',
      userId,
      newPhone: '+254711100999',
      mfa: proven,
      stepUp,
    });
    expect(r3.status).toBe(403);
    expect(r3.body.code).toBe('MFA_NOT_VERIFIED');
    const unchanged = await api('POST', '/update-user-ib', {
      requestId: 'upd-same-0001',
      userId,
      newPhone: before.mobilePhone as string,
      mfa: await provenNumber(userId, before.mobilePhone as string),
      stepUp,
    });
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.code).toBe('PHONE_UNCHANGED');
    expect(await customer('100001')).toMatchObject({ mobilePhone: before.mobilePhone });

    const unknown = await api('POST', '/update-user-ib', {
      requestId: 'upd-unknown-01',
      userId: 'IBU99999999',
      newPhone: target,
      mfa: proven,
      stepUp,
    });
    expect(unknown.status).toBe(403); // the proof names another user
  }, 90_000);

  it('completes after a linked system recovers, with no duplicate delivery to the others', async () => {
    await call(stack.simulatorUrl, 'POST', '/admin/customers', {
      body: {
        customerId: '300001',
        firstName: 'Linked',
        lastName: 'Outage',
        phone: '+254700300001',
        email: 'linked.outage@example.com',
        products: ['SAV-300001'],
      },
    });
    const userId = await onboard('300001');
    const newPhone = '+254711300001';
    const stepUp = await steppedUp(userId, '+254700300001');
    const mfa = await provenNumber(userId, newPhone);
    alerts.state.down = true;
    const res = await api(
      'POST',
      '/update-user-ib',
      { requestId: 'upd-outage-0001', userId, newPhone, mfa, stepUp },
      { Prefer: 'wait=2' },
    );
    expect(res.status).toBe(202);
    const during = await api('GET', `/processes/phone-${userId}`);
    expect(during.body).toMatchObject({ status: 'RUNNING' });
    await new Promise((r) => setTimeout(r, 4_000));
    expect(alerts.state.refused).toBeGreaterThan(0);
    alerts.state.down = false;
    const done = await waitForProcess(stack, `phone-${userId}`, 60_000);
    expect(done.body.status).toBe('COMPLETED');
    const trail = (done.body.auditTrail as { step: string; status: string }[]).map(
      (e) => `${e.step}:${e.status}`,
    );
    expect(trail).toEqual(
      expect.arrayContaining(['PROPAGATE:otp-delivery:COMPLETED', 'PROPAGATE:alerts:COMPLETED']),
    );
    const mine = (id: unknown) => String(id).includes(`phone-${userId}.`);
    expect(stack.outbox('webhooks').filter((w) => mine(w.webhookId))).toHaveLength(1);
    expect([...alerts.received.keys()].filter(mine)).toHaveLength(1);
    expect((await customer('300001')).mobilePhone).toBe(newPhone);
  }, 120_000);

  it('binds a new number only with a step-up proof of a factor on file, both proofs consumed by the change', async () => {
    // The seeded user of customer 100002; an attacker holds another user's session and a SIM.
    const victim = 'IBU00100002';
    const onFile = '+254700100002';
    await call(stack.simulatorUrl, 'POST', '/admin/customers', {
      body: {
        customerId: '300002',
        firstName: 'Other',
        lastName: 'User',
        phone: '+254700300002',
        products: ['SAV-300002'],
      },
    });
    const other = await onboard('300002');
    const attackerSim = '+254711666002';
    const mfa = await provenNumber(victim, attackerSim);
    const refused = async (requestId: string, stepUp?: { serviceKey: string; securityKey: string }) => {
      const res = await api('POST', '/update-user-ib', {
        requestId,
        userId: victim,
        newPhone: attackerSim,
        mfa,
        ...(stepUp && { stepUp }),
      });
      expect({ requestId, status: res.status, code: res.body.code }).toEqual({
        requestId,
        status: 403,
        code: 'STEP_UP_REQUIRED',
      });
      expect(await esbPhone('100002')).toBe(onFile);
    };

    await refused('upd-stepup-none-1');
    // Another user's step-up proves nothing about this one.
    await refused('upd-stepup-other-1', await steppedUp(other, '+254700300002'));
    // A code to the new number is not a factor on file: the UPDATE_PHONE proof cannot double as it.
    await refused('upd-stepup-newno-1', await provenNumber(victim, attackerSim));
    await refused('upd-stepup-same-1', mfa);
    const unverified = await steppedUp(victim, onFile, false);
    await refused('upd-stepup-unver-1', unverified);
    await refused('upd-stepup-badkey-1', { ...unverified, securityKey: 'x'.repeat(43) });
    // None of the refusals spent the proof of the new number.
    expect(await challengeStatus(mfa.serviceKey)).toBe('VERIFIED');

    const stepUp = await steppedUp(victim, onFile);
    expect(String(smsTo(onFile).at(-1)?.body)).toMatch(/verification code for confirming a security change/);
    const ok = await api('POST', '/update-user-ib', {
      requestId: 'upd-stepup-ok-1',
      userId: victim,
      newPhone: attackerSim,
      mfa,
      stepUp,
    });
    expect(ok.status).toBe(201);
    expect(await esbPhone('100002')).toBe(attackerSim);
    expect(await challengeStatus(mfa.serviceKey)).toBe('CONSUMED');
    expect(await challengeStatus(stepUp.serviceKey)).toBe('CONSUMED');
    const trail = (await api('GET', `/processes/phone-${victim}`)).body.auditTrail as { step: string }[];
    expect(trail.map((e) => e.step)).toEqual(expect.arrayContaining(['CONSUME_STEP_UP', 'CONSUME_MFA']));

    // The spent step-up cannot serve another change.
    const back = await api('POST', '/update-user-ib', {
      requestId: 'upd-stepup-ok-2',
      userId: victim,
      newPhone: onFile,
      mfa: await provenNumber(victim, onFile),
      stepUp,
    });
    expect(back.status).toBe(403);
    expect(back.body.code).toBe('STEP_UP_REQUIRED');
    expect(await esbPhone('100002')).toBe(attackerSim);
  }, 120_000);

  it('updates contact info for the institution: what changed, told on old and new contacts', async () => {
    const res = await api('PUT', '/customers/100004/contact-info', {
      email: { emailAddress: 'daniel.new@example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'COMPLETED',
      changed: ['email'],
      email: 'd•••••••••@example.com',
    });
    expect((await customer('100004')).email).toBe('daniel.new@example.com');
    const notices = (res.body.notifications as { channel: string; kind: string }[]).map(
      (n) => `${n.channel}:${n.kind}`,
    );
    expect(notices).toEqual(expect.arrayContaining(['EMAIL:SECURITY_NOTICE', 'EMAIL:CONFIRMATION']));
    expect(stack.outbox('email').filter((m) => m.to === 'daniel.new@example.com')).toHaveLength(1);

    // The same body again without a key is a retry of that change: it replays it.
    const retried = await api('PUT', '/customers/100004/contact-info', {
      email: { emailAddress: 'daniel.new@example.com' },
    });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body).toMatchObject({ status: 'COMPLETED', changed: ['email'] });
    expect(stack.outbox('email').filter((m) => m.to === 'daniel.new@example.com')).toHaveLength(1);
    // Under a key of its own it is a new request, with nothing to change.
    const same = await api(
      'PUT',
      '/customers/100004/contact-info',
      { email: { emailAddress: 'daniel.new@example.com' } },
      { 'Idempotency-Key': 'e2e-contact-same-0001' },
    );
    expect(same.body).toMatchObject({ status: 'COMPLETED', changed: [] });

    const both = await api('PUT', '/customers/100004/contact-info', {
      phoneNumber: { newPhoneNumber: '+254711400004' },
      postalAddress: { line1: '1 Bank Street', city: 'Nairobi', country: 'KE' },
    });
    expect(both.body).toMatchObject({ changed: ['phone', 'postalAddress'] });

    expect(
      (await api('PUT', '/customers/999999/contact-info', { email: { emailAddress: 'x@example.com' } })).body
        .code,
    ).toBe('CUSTOMER_NOT_FOUND');
    const invalid = await api('PUT', '/customers/100004/contact-info', {
      email: { emailAddress: 'x@example.com' },
      phoneNumber: {},
    });
    expect(invalid.status).toBe(400);
    const narrow = await call(stack.apiUrl, 'PUT', '/customers/100004/contact-info', {
      token: await stack.token('ib-users:write'),
      body: { email: { emailAddress: 'y@example.com' } },
    });
    expect(narrow.status).toBe(403);
  }, 90_000);

  it('keeps every workflow type encrypted at rest: no contact detail, code or key in any raw history', async () => {
    const seen = new Map<string, string[]>();
    for await (const run of stack.client.workflow.list()) {
      const raw = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      seen.set(run.type, [...(seen.get(run.type) ?? []), ...encodings(raw)]);
      const text = JSON.stringify(raw);
      expect({ [run.workflowId]: /\+2547\d{8}|@example\.com|Wanjiru|Njeri/.exec(text)?.[0] ?? null }).toEqual(
        {
          [run.workflowId]: null,
        },
      );
    }
    expect([...seen.keys()].sort()).toEqual([
      // Started by each onboarding's last step (the first-time password's expiry timer).
      'FirstTimePasswordExpiry',
      'MfaChallenge',
      'MfaDestinationQuota',
      'OnboardIbUser',
      'UpdateContactInfo',
      'UpdateUserPhone',
    ]);
    for (const [type, kinds] of seen)
      expect({ [type]: new Set(kinds) }).toEqual({ [type]: new Set(['binary/encrypted']) });
  });
});

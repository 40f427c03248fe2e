import { keycloakServiceEnv } from '../../scripts/launcher/keycloak';
import { temporalCliPath } from '../setup/tools';
import { decodedHistoryText } from '../helpers/history';
import { appLogin, startKeycloak, type TestKeycloak } from '../helpers/keycloak';
import { call, startStack, type Stack } from '../helpers/stack';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Keycloak holds the logins (IDENTITY_PROVIDER=keycloak) and issues every token the API
 * accepts: a real Keycloak started by this suite with the repository's realm, the dev
 * server, the real worker and the core-banking simulator. Customers log in through
 * Keycloak's own login pages, as the mobile app's browser would.
 */
describe('Keycloak as the identity provider, end to end', () => {
  let kc: TestKeycloak;
  let stack: Stack;
  let channel: string;
  let ops: string;

  beforeAll(async () => {
    kc = await startKeycloak();
    stack = await startStack({ ...keycloakServiceEnv(kc), PHONE_CHANGE_COOLING_OFF_MINUTES: '0' });
    channel = await kc.clientToken('channel');
    ops = await kc.clientToken('ops');
  }, 480_000);
  afterAll(async () => {
    await stack?.stop();
    await kc?.stop();
  });

  const api = (method: string, url: string, body?: unknown, as = channel) =>
    call(stack.apiUrl, method, url, { token: as, body });
  const sim = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const smsTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const passwordIn = (text: unknown) => /first-time password is (\S+?)\.?(\s|$)/.exec(String(text))?.[1];
  const lastCode = (phone: string) =>
    /(\d{6}) is your verification code/.exec(String(smsTo(phone).at(-1)?.body))?.[1];
  const history = async (workflowId: string) =>
    decodedHistoryText(stack.codec, await stack.client.workflow.getHandle(workflowId).fetchHistory());

  let customers = 0;
  /** A fresh customer, onboarded by the channel backend's client-credentials token. */
  async function onboarded() {
    const n = String(++customers).padStart(2, '0');
    const customerId = `4100${n}`;
    const phone = `+2547004100${n}`;
    expect(
      (
        await sim('POST', '/admin/customers', {
          customerId,
          firstName: 'Key',
          lastName: `Cloak${n}`,
          phone,
          email: `kc.${n}@example.com`,
          products: [`SAV-${customerId}`],
        })
      ).status,
    ).toBe(201);
    const res = await api('POST', '/open-user-ib', {
      requestId: `kc-onboard-${customerId}`,
      customerId,
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    expect(res.status).toBe(201);
    const password = passwordIn(smsTo(phone).at(-1)?.body);
    expect(password).toBeDefined();
    return {
      customerId,
      phone,
      userId: res.body.userId as string,
      username: res.body.username as string,
      password: password as string,
    };
  }

  /** Onboarded, then logged in once: the first-time password changed to a chosen one. */
  async function loggedIn() {
    const u = await onboarded();
    const chosen = `Chosen-${u.customerId}-pass`;
    const first = await appLogin(kc, u.username, u.password, chosen);
    expect(first.outcome).toBe('TOKEN');
    return { ...u, chosen, token: (first as { accessToken: string }).accessToken };
  }

  it("a channel backend's client-credentials token opens a user; the customer logs in with the SMS's password, must change it, then logs in with the new one", async () => {
    const u = await onboarded();
    // The first-time password alone opens nothing but the change-password page.
    expect(await appLogin(kc, u.username, u.password)).toEqual({ outcome: 'MUST_CHANGE_PASSWORD' });
    const chosen = 'My-own-choice-2026';
    const changed = await appLogin(kc, u.username, u.password, chosen);
    expect(changed).toMatchObject({ outcome: 'TOKEN', claims: { ib_user_id: u.userId, aud: 'ibmb-api' } });
    // Now the chosen one logs in straight away; the first-time one is gone.
    expect(await appLogin(kc, u.username, chosen)).toMatchObject({
      outcome: 'TOKEN',
      claims: { ib_user_id: u.userId },
    });
    expect((await appLogin(kc, u.username, u.password)).outcome).toBe('REFUSED');
    // No password in the onboarding's history or the logs.
    const text = await history(`onboard-${u.customerId}`);
    expect(text).not.toContain(u.password);
    expect(stack.logs.join('\n')).not.toContain(u.password);
    expect(stack.logs.join('\n')).not.toContain(kc.secrets.admin);
  }, 180_000);

  it("the customer's own token opens their own LOGIN challenge and is refused for another user", async () => {
    const u = await loggedIn();
    const other = await onboarded();
    const own = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: u.userId }, u.token);
    expect(own.status).toBe(201);
    const foreign = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: other.userId }, u.token);
    expect(foreign.status).toBe(403);
    // The channel's token has no IB user: it acts for any user only through mfa:any-user.
    expect((await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: other.userId })).status).toBe(
      201,
    );
  }, 180_000);

  it("refuses Keycloak tokens not made for it: the worker's admin client (no audience), a customer's on channel routes", async () => {
    const adminToken = await kc.clientToken('admin');
    const asAdmin = await api(
      'POST',
      '/mfa/challenges',
      { purpose: 'LOGIN', userId: 'IBU00100001' },
      adminToken,
    );
    expect(asAdmin.status).toBe(401);
    const u = await loggedIn();
    const open = await api(
      'POST',
      '/open-user-ib',
      {
        requestId: 'kc-open-as-customer',
        customerId: '100001',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS'],
      },
      u.token,
    );
    expect(open.status).toBe(403);
    expect((await api('POST', `/users/${u.userId}/first-login`, undefined, u.token)).status).toBe(403);
  }, 180_000);

  it('a locked user cannot log in; unlocked, the same password works again', async () => {
    const u = await loggedIn();
    expect(await kc.login(u.userId)).toMatchObject({ enabled: true, sessions: 1 });
    const lock = await api(
      'POST',
      `/users/${u.userId}/lock`,
      { requestId: `kc-lock-${u.userId}`, reason: 'e2e' },
      ops,
    );
    expect(lock.status).toBe(200);
    // Disabled, and the session its login opened is ended.
    expect(await kc.login(u.userId)).toMatchObject({ enabled: false, sessions: 0 });
    expect((await appLogin(kc, u.username, u.chosen)).outcome).toBe('REFUSED');
    const unlock = await api(
      'POST',
      `/users/${u.userId}/unlock`,
      { requestId: `kc-unlock-${u.userId}`, reason: 'e2e' },
      ops,
    );
    expect(unlock.status).toBe(200);
    expect((await appLogin(kc, u.username, u.chosen)).outcome).toBe('TOKEN');
  }, 180_000);

  it('a closed user cannot log in', async () => {
    const u = await loggedIn();
    const close = await api(
      'POST',
      `/users/${u.userId}/close`,
      { requestId: `kc-close-${u.userId}`, reason: 'e2e' },
      ops,
    );
    expect(close.status).toBe(200);
    expect(await kc.login(u.userId)).toMatchObject({ enabled: false, sessions: 0 });
    expect((await appLogin(kc, u.username, u.chosen)).outcome).toBe('REFUSED');
  }, 180_000);

  it('after a reset the old password fails and the new first-time one must be changed', async () => {
    const u = await loggedIn();
    const created = await api('POST', '/mfa/challenges', { purpose: 'RESET_PASSWORD', userId: u.userId });
    expect(created.status).toBe(201);
    const mfa = {
      serviceKey: created.body.serviceKey as string,
      securityKey: created.body.securityKey as string,
    };
    const verified = await api('POST', `/mfa/challenges/${mfa.serviceKey}/verify`, {
      securityKey: mfa.securityKey,
      otp: lastCode(u.phone),
    });
    expect(verified.body.status).toBe('VERIFIED');
    const reset = await api('POST', '/reset-user-ib', {
      requestId: `kc-reset-${u.userId}`,
      userId: u.userId,
      mfa,
    });
    expect(reset.status).toBe(201);
    const fresh = passwordIn(smsTo(u.phone).at(-1)?.body) as string;
    expect(fresh).toBeDefined();
    expect((await appLogin(kc, u.username, u.chosen)).outcome).toBe('REFUSED');
    expect(await appLogin(kc, u.username, fresh)).toEqual({ outcome: 'MUST_CHANGE_PASSWORD' });
    expect((await appLogin(kc, u.username, fresh, 'After-the-reset-77')).outcome).toBe('TOKEN');
  }, 180_000);

  it("a phone change by bank staff puts the new number on the customer's login", async () => {
    const u = await loggedIn();
    expect((await kc.login(u.userId)).attributes).toMatchObject({
      phoneNumber: [u.phone],
      customerId: [u.customerId],
    });
    const newPhone = `+2547119${u.customerId.slice(-5)}`;
    const res = await call(stack.apiUrl, 'PUT', `/customers/${u.customerId}/contact-info`, {
      token: ops,
      body: { phoneNumber: { newPhoneNumber: newPhone } },
      headers: { 'Idempotency-Key': `kc-phone-${u.customerId}` },
    });
    expect([200, 202]).toContain(res.status);
    await stack.client.workflow.getHandle(`contact-${u.customerId}`).result();
    expect((await kc.login(u.userId)).attributes.phoneNumber).toEqual([newPhone]);
  }, 180_000);

  it('a self-registered customer logs in with the password they chose, no change asked', async () => {
    // Grace Njeri (100005) in the simulator's seed: eligible, no IB user yet.
    const disclosures = (await api('GET', '/disclosures')).body.items as { id: string; version: number }[];
    const password = 'violet-harbour-lantern-42';
    const started = await api('POST', '/registrations', {
      requestId: 'kc-reg-0001',
      identity: { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-09', nationalIdLast4: '0005' },
      username: 'grace.njeri',
      password,
      acceptedDisclosures: disclosures.map(({ id, version }) => ({ id, version })),
    });
    expect(started.body.status).toBe('CODE_SENT');
    const done = await api('POST', `/registrations/${started.body.registrationId}/verify`, {
      securityKey: started.body.securityKey,
      otp: lastCode('+254700100005'),
    });
    expect(done.body).toMatchObject({ status: 'COMPLETED', username: 'grace.njeri' });
    expect(await appLogin(kc, 'grace.njeri', password)).toMatchObject({
      outcome: 'TOKEN',
      claims: { ib_user_id: done.body.userId },
    });
  }, 180_000);

  /** Stops the onboarding's 72 h timer and arms one of ~1 s (the time-skipping tests cover 72 h). */
  async function shortExpiry(userId: string) {
    const handle = stack.client.workflow.getHandle(`pwexpiry-${userId}`);
    await handle.terminate('e2e: replaced by a short timer');
    return stack.client.workflow.start('FirstTimePasswordExpiry', {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `pwexpiry-${userId}`,
      args: [{ userId, issued: { ref: 'e2e-short', issuedBy: 'e2e', ttlMinutes: 0.02 } }],
    });
  }

  it('the expiry revokes an unused first-time password in Keycloak and leaves a changed one alone', async () => {
    const unused = await onboarded();
    expect(await (await shortExpiry(unused.userId)).result()).toMatchObject({
      outcome: 'EXPIRED',
      revoked: true,
    });
    expect((await appLogin(kc, unused.username, unused.password)).outcome).toBe('REFUSED');

    const used = await loggedIn();
    expect(await (await shortExpiry(used.userId)).result()).toMatchObject({
      outcome: 'EXPIRED',
      revoked: false,
    });
    expect((await appLogin(kc, used.username, used.chosen)).outcome).toBe('TOKEN');
  }, 180_000);

  it('POST first-login stops the timer only once Keycloak shows the password changed', async () => {
    const u = await onboarded();
    const early = await api('POST', `/users/${u.userId}/first-login`);
    expect(early.body).toEqual({ userId: u.userId, expiryStopped: false });
    const expiry = stack.client.workflow.getHandle(`pwexpiry-${u.userId}`);
    expect((await expiry.describe()).status.name).toBe('RUNNING');
    expect((await appLogin(kc, u.username, u.password, 'Changed-at-last-11')).outcome).toBe('TOKEN');
    const late = await api('POST', `/users/${u.userId}/first-login`);
    expect(late.body).toEqual({ userId: u.userId, expiryStopped: true });
    expect(await expiry.result()).toMatchObject({ outcome: 'FIRST_LOGIN' });
  }, 180_000);

  it('an ops reset of the onboarding after the first login leaves the chosen password working', async () => {
    const u = await loggedIn();
    await promisify(execFile)(temporalCliPath, [
      'workflow',
      'reset',
      '--address',
      stack.env.address,
      '--namespace',
      stack.env.namespace ?? 'default',
      '--workflow-id',
      `onboard-${u.customerId}`,
      '--reason',
      'e2e: ops recovery',
      '--type',
      'FirstWorkflowTask',
    ]);
    const run = stack.client.workflow.getHandle(`onboard-${u.customerId}`);
    expect(await run.result()).toMatchObject({ userId: u.userId });
    expect((await appLogin(kc, u.username, u.chosen)).outcome).toBe('TOKEN');
    expect((await appLogin(kc, u.username, u.password)).outcome).toBe('REFUSED');
  }, 180_000);
});

import { mintDevToken } from '../../lib/dev-keys';
import { processStateQuery } from '../../messages/process';
import { decodedHistoryText } from '../helpers/history';
import { openChallenge } from '../helpers/mfa-challenge';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * The credential lifecycle through HTTP on the dev server, with the real worker, the
 * core-banking simulator (checked through its ESB and admin routes) and the outboxes:
 * reset, first-login, lock / unlock / close, security questions, delivery by email.
 */
describe('credential lifecycle end to end', () => {
  let stack: Stack;
  let token: string;
  let bankToken: string;

  beforeAll(async () => {
    stack = await startStack({ LINKED_SYSTEMS: JSON.stringify([{ name: 'alerts' }]) });
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read');
    bankToken = await stack.token('institution-users:write processes:read-all');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (method: string, url: string, body?: unknown, as = token) =>
    call(stack.apiUrl, method, url, { token: as, body });
  const sim = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const smsTo = (phone: string) => stack.outbox('sms').filter((m) => m.to === phone);
  const mailTo = (email: string) => stack.outbox('email').filter((m) => m.to === email);
  const lastCode = (phone: string) =>
    /(\d{6}) is your verification code/.exec(String(smsTo(phone).at(-1)?.body))?.[1];
  const passwordIn = (text: unknown) => /first-time password is (\S+?)\.?(\s|$)/.exec(String(text))?.[1];
  const passwordWorks = async (userId: string, password: string) =>
    (await sim('POST', `/admin/ib-users/${userId}/verify-password`, { password })).body.matches;
  const esbUser = async (userId: string) => (await sim('GET', `/esb/v1/ib-users/${userId}`)).body;

  let customers = 0;
  /** A fresh customer with a phone and an email on file, onboarded; its first-time password from the outbox. */
  async function onboarded(delivery: 'SMS' | 'EMAIL' = 'SMS') {
    const n = String(++customers).padStart(2, '0');
    const customerId = `2000${n}`;
    const phone = `+2547002000${n}`;
    const email = `holder.${n}@example.com`;
    expect(
      (
        await sim('POST', '/admin/customers', {
          customerId,
          firstName: 'Test',
          lastName: `Holder${n}`,
          phone,
          email,
          products: [`SAV-${customerId}`],
        })
      ).status,
    ).toBe(201);
    const res = await api('POST', '/open-user-ib', {
      requestId: `cred-onboard-${customerId}`,
      customerId,
      channel: 'MOBILE',
      email: email.toUpperCase(),
      credentialDelivery: delivery,
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    expect(res.status).toBe(201);
    const userId = res.body.userId as string;
    const password =
      delivery === 'SMS' ? passwordIn(smsTo(phone).at(-1)?.body) : passwordIn(mailTo(email).at(-1)?.text);
    expect(password).toBeDefined();
    return { customerId, phone, email, userId, password: password as string, onboarding: res.body };
  }

  /** A challenge of `purpose` for the user (code to the contacts on file), verified unless told not to. */
  const proof = async (purpose: string, userId: string, phone: string, verify = true) => {
    const { serviceKey, securityKey } = await openChallenge(
      api,
      { purpose, userId },
      () => lastCode(phone),
      verify,
    );
    return { serviceKey, securityKey };
  };

  const history = async (workflowId: string) =>
    decodedHistoryText(stack.codec, await stack.client.workflow.getHandle(workflowId).fetchHistory());

  it('resets: the old password dies, the new one works, the email on file is told, the expiry restarts', async () => {
    const u = await onboarded();
    expect(u.onboarding.passwordExpiry).toMatchObject({ processId: `pwexpiry-${u.userId}` });
    expect(await passwordWorks(u.userId, u.password)).toBe(true);
    const mfa = await proof('RESET_PASSWORD', u.userId, u.phone);
    expect(String(smsTo(u.phone).at(-1)?.body)).toMatch(/resetting your internet & mobile banking password/);

    const body = { requestId: 'cred-reset-0001', userId: u.userId, mfa };
    const res = await api('POST', '/reset-user-ib', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      processId: `reset-${u.userId}`,
      status: 'COMPLETED',
      credentialDelivery: { channel: 'SMS', to: '+254••••••001', status: 'SENT' },
      passwordExpiry: { processId: `pwexpiry-${u.userId}` },
      notifications: [{ channel: 'EMAIL', status: 'SENT' }],
    });
    const fresh = passwordIn(smsTo(u.phone).at(-1)?.body) as string;
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(u.password);
    expect(await passwordWorks(u.userId, u.password)).toBe(false);
    expect(await passwordWorks(u.userId, fresh)).toBe(true);
    expect(await esbUser(u.userId)).toMatchObject({ status: 'ACTIVE', mustChangePassword: true });
    expect(String(mailTo(u.email).at(-1)?.text)).toMatch(/password .* was reset/);

    // The same request replays and sends nothing; the spent proof opens no second reset.
    const sent = stack.outbox('sms').length;
    const replay = await api('POST', '/reset-user-ib', body);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(stack.outbox('sms').length).toBe(sent);
    const again = await api('POST', '/reset-user-ib', { ...body, requestId: 'cred-reset-0002' });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('MFA_NOT_VERIFIED');
    expect(await passwordWorks(u.userId, fresh)).toBe(true);

    // The expiry entity shows both issuances waiting; the first login stops it.
    const expiry = await api('GET', `/processes/pwexpiry-${u.userId}`, undefined, bankToken);
    expect(expiry.body.status).toBe('RUNNING');
    const waits = (expiry.body.auditTrail as { step: string; detail?: string }[]).filter(
      (e) => e.step === 'AWAIT_FIRST_LOGIN',
    );
    expect(waits.map((w) => w.detail?.split(';')[0])).toEqual([
      `password from onboard-${u.customerId}`,
      `password from reset-${u.userId}`,
    ]);
    const login = await api('POST', `/users/${u.userId}/first-login`);
    expect(login.body).toEqual({ userId: u.userId, expiryStopped: true });
    const result = await stack.client.workflow.getHandle(`pwexpiry-${u.userId}`).result();
    expect(result).toMatchObject({ outcome: 'FIRST_LOGIN' });
    expect((await api('POST', `/users/${u.userId}/first-login`)).body.expiryStopped).toBe(false);

    for (const id of [`reset-${u.userId}`, `pwexpiry-${u.userId}`, `onboard-${u.customerId}`]) {
      const text = await history(id);
      expect(text).toMatch(/ttlMinutes|firstTimePasswordTtlMinutes/); // payload fields: the decoding worked
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(u.password);
    }
    expect(stack.logs.join('\n')).not.toContain(fresh);
  }, 120_000);

  it('at the expiry, revokes the unused first-time password in core banking and tells the customer how to reset', async () => {
    const u = await onboarded();
    // The onboarding's timer runs 72 h: stop it, then arm one of ~1 s on the real worker and
    // simulator (the workflow takes the TTL from its issuance; the time-skipping tests cover 72 h).
    expect((await api('POST', `/users/${u.userId}/first-login`)).body.expiryStopped).toBe(true);
    await stack.client.workflow.getHandle(`pwexpiry-${u.userId}`).result();
    const handle = await stack.client.workflow.start('FirstTimePasswordExpiry', {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `pwexpiry-${u.userId}`,
      args: [{ userId: u.userId, issued: { ref: 'e2e-short', issuedBy: 'e2e', ttlMinutes: 0.02 } }],
    });
    expect(await handle.result()).toMatchObject({ outcome: 'EXPIRED', revoked: true });
    expect(await passwordWorks(u.userId, u.password)).toBe(false);
    expect(await esbUser(u.userId)).toMatchObject({ status: 'ACTIVE', passwordSetAt: null });
    expect(String(smsTo(u.phone).at(-1)?.body)).toMatch(/first-time password expired .* "Forgot password"/);
    expect(String(mailTo(u.email).at(-1)?.subject)).toMatch(/first-time password expired/);
    const trail = await api('GET', `/processes/pwexpiry-${u.userId}`, undefined, bankToken);
    expect(
      (trail.body.auditTrail as { step: string; status: string }[]).map((e) => `${e.step}:${e.status}`),
    ).toEqual(
      expect.arrayContaining(['AWAIT_FIRST_LOGIN:WAITING', 'REVOKE_PASSWORD:COMPLETED', 'NOTIFY:COMPLETED']),
    );
    expect(await history(`pwexpiry-${u.userId}`)).not.toContain(u.password);
  }, 120_000);

  it('refuses a reset without a verified, unused RESET_PASSWORD proof of this user, changing nothing', async () => {
    const u = await onboarded();
    const other = await onboarded();
    const missing = await api('POST', '/reset-user-ib', { requestId: 'cred-reset-r1', userId: u.userId });
    expect([missing.status, missing.body.code]).toEqual([403, 'MFA_REQUIRED']);
    const unverified = await proof('RESET_PASSWORD', u.userId, u.phone, false);
    const wrongPurpose = await proof('STEP_UP', u.userId, u.phone);
    const othersProof = await proof('RESET_PASSWORD', other.userId, other.phone);
    for (const [i, mfa] of [unverified, wrongPurpose, othersProof].entries()) {
      const res = await api('POST', '/reset-user-ib', {
        requestId: `cred-reset-r2-${i}`,
        userId: u.userId,
        mfa,
      });
      expect([res.status, res.body.code]).toEqual([403, 'MFA_NOT_VERIFIED']);
    }
    const badKey = await api('POST', '/reset-user-ib', {
      requestId: 'cred-reset-r3',
      userId: u.userId,
      mfa: { ...othersProof, securityKey: 'x'.repeat(32) },
    });
    expect(badKey.status).toBe(403);
    expect(await passwordWorks(u.userId, u.password)).toBe(true);
    expect(await passwordWorks(other.userId, other.password)).toBe(true);
  }, 120_000);

  it('delivers by email: onboarding checks the email against core banking, reset mails the address on file', async () => {
    const u = await onboarded('EMAIL');
    expect(u.onboarding.credentialDelivery).toMatchObject({ channel: 'EMAIL', status: 'SENT' });
    expect(await passwordWorks(u.userId, u.password)).toBe(true);

    await sim('POST', '/admin/customers', {
      customerId: '299901',
      firstName: 'Mis',
      lastName: 'Match',
      phone: '+254700299901',
      email: 'on.file@example.com',
      products: ['SAV-299901'],
    });
    const mismatch = await api('POST', '/open-user-ib', {
      requestId: 'cred-onboard-mismatch',
      customerId: '299901',
      channel: 'MOBILE',
      email: 'typed.other@example.com',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    expect([mismatch.status, mismatch.body.code]).toEqual([422, 'EMAIL_MISMATCH']);
    expect((await sim('GET', '/admin/customers/299901')).body.ibUsers).toEqual([]);

    const mfa = await proof('RESET_PASSWORD', u.userId, u.phone);
    const res = await api('POST', '/reset-user-ib', {
      requestId: 'cred-reset-email',
      userId: u.userId,
      mfa,
      credentialDelivery: 'EMAIL',
    });
    expect(res.status).toBe(201);
    expect(res.body.credentialDelivery).toMatchObject({
      channel: 'EMAIL',
      to: expect.stringMatching(/@example\.com$/),
    });
    expect(res.body.notifications).toEqual([
      { channel: 'SMS', to: `+254••••••${u.phone.slice(-3)}`, status: 'SENT' },
    ]);
    const fresh = passwordIn(mailTo(u.email).at(-1)?.text) as string;
    expect(await passwordWorks(u.userId, fresh)).toBe(true);
    expect(await passwordWorks(u.userId, u.password)).toBe(false);
    expect(String(smsTo(u.phone).at(-1)?.body)).toMatch(/was reset/);
  }, 120_000);

  it('locks, unlocks and closes: core banking status, scopes, no codes while locked, linked systems told', async () => {
    const u = await onboarded();
    const own = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: u.userId });

    const lock = await api('POST', `/users/${u.userId}/lock`, {
      requestId: 'cred-lock-1',
      reason: 'lost phone',
    });
    expect(lock.status).toBe(200);
    expect(lock.body).toMatchObject({
      previousStatus: 'ACTIVE',
      userStatus: 'LOCKED',
      changed: true,
      propagatedTo: ['alerts'],
    });
    expect(await esbUser(u.userId)).toMatchObject({
      status: 'LOCKED',
      lockReason: expect.stringMatching(/^lost phone \(by /),
    });
    expect(String(smsTo(u.phone).at(-1)?.body)).toMatch(/was locked/);
    const hook = stack.outbox('webhooks').filter((w) => w.type === 'ib_user.status_changed');
    expect(hook.at(-1)).toMatchObject({ payload: { userId: u.userId, status: 'LOCKED' } });

    // The user itself hears why; a channel not bound to the user learns nothing of its status.
    const ownCode = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: u.userId }, own);
    expect([ownCode.status, ownCode.body.code]).toEqual([422, 'USER_NOT_ACTIVE']);
    const channelCode = await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: u.userId });
    expect([channelCode.status, channelCode.body.code]).toEqual([404, 'USER_NOT_FOUND']);

    // Only the bank unlocks.
    const byChannel = await api('POST', `/users/${u.userId}/unlock`, {
      requestId: 'cred-unlock-0',
      reason: 'found it',
    });
    expect(byChannel.status).toBe(403);
    expect((await esbUser(u.userId)).status).toBe('LOCKED');
    const unlock = await api(
      'POST',
      `/users/${u.userId}/unlock`,
      { requestId: 'cred-unlock-1', reason: 'identity checked at branch' },
      bankToken,
    );
    expect(unlock.body).toMatchObject({ previousStatus: 'LOCKED', userStatus: 'ACTIVE' });
    expect((await esbUser(u.userId)).status).toBe('ACTIVE');
    expect((await api('POST', '/mfa/challenges', { purpose: 'LOGIN', userId: u.userId }, own)).status).toBe(
      201,
    );

    const closeByChannel = await api('POST', `/users/${u.userId}/close`, {
      requestId: 'cred-close-0',
      reason: 'leaving',
    });
    expect(closeByChannel.status).toBe(403);
    const close = await api(
      'POST',
      `/users/${u.userId}/close`,
      { requestId: 'cred-close-1', reason: 'customer left the bank' },
      bankToken,
    );
    expect(close.body).toMatchObject({ previousStatus: 'ACTIVE', userStatus: 'DEACTIVATED' });
    // Deactivated, not deleted.
    expect(await esbUser(u.userId)).toMatchObject({ userId: u.userId, status: 'DEACTIVATED' });
    const reopen = await api(
      'POST',
      `/users/${u.userId}/unlock`,
      { requestId: 'cred-unlock-2', reason: 'again' },
      bankToken,
    );
    expect([reopen.status, reopen.body.code]).toEqual([409, 'INVALID_STATUS_TRANSITION']);

    // Every transition is in its run's trail with its caller.
    // Visibility is eventually consistent: the last runs are listed once it has caught up.
    const query = `WorkflowId = 'status-${u.userId}'`;
    for (let t = Date.now(); (await stack.client.workflow.count(query)).count < 4 && Date.now() - t < 10_000;)
      await new Promise((r) => setTimeout(r, 100));
    const requested: string[] = [];
    for await (const r of stack.client.workflow.list({ query })) {
      const handle = stack.client.workflow.getHandle(r.workflowId, r.runId);
      const trail = await handle.query(processStateQuery);
      requested.push(String(trail.auditTrail[0]?.detail));
    }
    expect(requested.sort()).toEqual([
      'CLOSE by dev-channel: customer left the bank',
      'LOCK by dev-channel: lost phone',
      'UNLOCK by dev-channel: again',
      'UNLOCK by dev-channel: identity checked at branch',
    ]);
    const last = await api('GET', `/processes/status-${u.userId}`, undefined, bankToken);
    expect((last.body.auditTrail as { step: string; detail?: string }[])[0]).toMatchObject({
      step: 'REQUESTED',
      detail: expect.stringMatching(/^UNLOCK by dev-channel: again$/),
    });
  }, 120_000);

  it('stores security answers as salted hashes only, consuming an UPDATE_SECURITY_QUESTIONS proof', async () => {
    const u = await onboarded();
    const questions = [
      { questionId: 'FIRST_SCHOOL', answer: 'Kilimani Primary' },
      { questionId: 'FIRST_PET', answer: 'Simba the Dog' },
    ];
    const noProof = await api('PUT', `/users/${u.userId}/security-questions`, {
      requestId: 'cred-sq-0',
      questions,
    });
    expect([noProof.status, noProof.body.code]).toEqual([403, 'MFA_REQUIRED']);
    const wrong = await proof('RESET_PASSWORD', u.userId, u.phone);
    const refused = await api('PUT', `/users/${u.userId}/security-questions`, {
      requestId: 'cred-sq-1',
      questions,
      mfa: wrong,
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'MFA_NOT_VERIFIED']);

    const mfa = await proof('UPDATE_SECURITY_QUESTIONS', u.userId, u.phone);
    const res = await api('PUT', `/users/${u.userId}/security-questions`, {
      requestId: 'cred-sq-2',
      questions,
      mfa,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ questionIds: ['FIRST_SCHOOL', 'FIRST_PET'] });
    const check = await sim('POST', `/admin/ib-users/${u.userId}/verify-security-answer`, {
      questionId: 'FIRST_SCHOOL',
      answer: '  kilimani   PRIMARY ',
    });
    expect(check.body.matches).toBe(true);
    const stored = JSON.stringify(check.body.stored);
    expect(stored).toMatch(/scrypt\$16384\$8\$1\$/);
    expect(stored).not.toMatch(/Kilimani|Simba/i);
    const wrongAnswer = await sim('POST', `/admin/ib-users/${u.userId}/verify-security-answer`, {
      questionId: 'FIRST_PET',
      answer: 'Simba the Cat',
    });
    expect(wrongAnswer.body.matches).toBe(false);

    const text = await history(`secq-${u.userId}`);
    expect(text).toContain('FIRST_SCHOOL');
    expect(text).not.toMatch(/Kilimani|Simba|scrypt\$/i);
    expect(stack.logs.join('\n')).not.toMatch(/Kilimani|Simba/i);
  }, 120_000);

  it('refuses bad input with a 4xx that changes nothing', async () => {
    const u = await onboarded();
    const shortReason = await api('POST', `/users/${u.userId}/lock`, {
      requestId: 'cred-bad-1',
      reason: 'x',
    });
    expect(shortReason.status).toBe(400);
    const badId = await api('POST', '/users/not%20an%20id/lock', {
      requestId: 'cred-bad-2',
      reason: 'lost phone',
    });
    expect(badId.status).toBe(400);
    const oneQuestion = await api('PUT', `/users/${u.userId}/security-questions`, {
      requestId: 'cred-bad-3',
      questions: [{ questionId: 'FIRST_PET', answer: 'Simba' }],
    });
    expect(oneQuestion.status).toBe(400);
    // The channel's scope: the bank's token (no ib-users:write) neither reports logins nor resets.
    const login = await api('POST', `/users/${u.userId}/first-login`, undefined, bankToken);
    expect(login.status).toBe(403);
    const expiry = await stack.client.workflow.getHandle(`pwexpiry-${u.userId}`).describe();
    expect(expiry.status.name).toBe('RUNNING');
    const reset = await api(
      'POST',
      '/reset-user-ib',
      { requestId: 'cred-bad-4', userId: u.userId },
      bankToken,
    );
    expect(reset.status).toBe(403);
    expect(reset.body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await esbUser(u.userId)).status).toBe('ACTIVE');
  }, 60_000);
});

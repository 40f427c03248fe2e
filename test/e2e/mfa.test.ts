import { randomUUID } from 'node:crypto';
import { mintDevToken } from '../../lib/dev-keys';
import { consumeUpdate, mfaProcessId } from '../../messages/mfa';
import { decodedHistoryText, encodings } from '../helpers/history';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
const TTL_SECONDS = 30;
const COOLDOWN_SECONDS = 2;

/**
 * MFA challenges through HTTP: API → Temporal dev server → real worker → simulator and
 * the SMS/email outboxes. Short TTL and cooldown so expiry and resends run in seconds.
 */
describe('MFA challenges end to end', () => {
  let stack: Stack;
  let token: string;
  let phoneSeq = 0;
  /**
   * The expiry test's two challenges, made before every other test (which it runs after), so
   * their TTL runs out while the others run instead of the suite sitting through it.
   */
  let expiring: Awaited<ReturnType<typeof challenge>> & {
    infinityKeys: { serviceKey: string; securityKey: string };
  };
  /** A fresh number per test: every send counts against its destination's quota. */
  const newPhone = () => `+2547003${String(++phoneSeq).padStart(5, '0')}`;

  beforeAll(async () => {
    stack = await startStack({
      MFA_OTP_TTL_SECONDS: String(TTL_SECONDS),
      MFA_RESEND_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
      MFA_WEBOTP_HOST: 'ib.bank.example',
    });
    token = await stack.token('mfa:write mfa:any-user processes:read');
    // Numbers of their own, apart from newPhone()'s: the first test expects the first of those.
    const native = await challenge({ purpose: 'ONBOARDING', phone: '+254700490001' });
    const viaInfinity = await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
      token,
      body: { Phone: '+254700490002' },
    });
    expiring = {
      ...native,
      infinityKeys: viaInfinity.body.MFAAttributes as { serviceKey: string; securityKey: string },
    };
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
    call(stack.apiUrl, method, url, { token, body, headers });
  const create = (body: Record<string, unknown>) => api('POST', '/mfa/challenges', body);
  const verify = (serviceKey: string, securityKey: string, otp: string) =>
    api('POST', `/mfa/challenges/${serviceKey}/verify`, { securityKey, otp });
  const resend = (serviceKey: string, securityKey: string) =>
    api('POST', `/mfa/challenges/${serviceKey}/resend`, { securityKey });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Messages of one challenge (their ids start with its workflow id). */
  const messagesOf = (serviceKey: string, box: 'sms' | 'email' = 'sms') =>
    stack.outbox(box).filter((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
  const codeIn = (text: unknown) => /(\d{6}) is your verification code/.exec(String(text))?.[1] as string;
  const codeOf = (serviceKey: string) => codeIn(messagesOf(serviceKey)[0]?.body);
  const wrong = (code: string, by = 1) => code.slice(0, 5) + String((Number(code[5]) + by) % 10);
  /** A new verify request (its own Idempotency-Key), not a retry of an earlier one. */
  const verifyAnew = (serviceKey: string, securityKey: string, otp: string) =>
    api(
      'POST',
      `/mfa/challenges/${serviceKey}/verify`,
      { securityKey, otp },
      { 'Idempotency-Key': randomUUID() },
    );
  const historyOf = (serviceKey: string) =>
    stack.client.workflow.getHandle(mfaProcessId(serviceKey)).fetchHistory();
  /** The code as a whole number in text (not a run of digits inside a longer number). */
  const containsCode = (text: string, code: string) => new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);

  async function challenge(body: Record<string, unknown>) {
    const res = await create(body);
    expect(res.status).toBe(201);
    return {
      res,
      serviceKey: res.body.serviceKey as string,
      securityKey: res.body.securityKey as string,
    };
  }

  it('creates, refuses wrong codes with a falling counter, verifies once, and keeps every secret out of history', async () => {
    const phone = newPhone();
    const res = await create({ purpose: 'ONBOARDING', phone });
    expect(res.status).toBe(201);
    const serviceKey = res.body.serviceKey as string;
    const securityKey = res.body.securityKey as string;
    expect(res.headers.get('location')).toBe(`/mfa/challenges/${serviceKey}`);
    expect(res.body).toMatchObject({
      processId: `mfa-${serviceKey}`,
      serviceKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
      securityKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      status: 'PENDING',
      mfaType: 'SECURE_ACCESS_CODE',
      codeLength: 6,
      remainingVerifyAttempts: 5,
      remainingResendAttempts: 3,
      maxResendRequestsAllowed: 3,
      customerCommunication: {
        phone: [{ masked: '+254••••••001', referenceId: expect.any(String) }],
        email: [],
      },
    });
    expect(Date.parse(res.body.expiresAt as string) - Date.parse(res.body.createdAt as string)).toBe(
      TTL_SECONDS * 1000,
    );
    expect(Date.parse(res.body.resendAvailableAt as string)).toBeGreaterThan(Date.now() - 1000);

    const sms = messagesOf(serviceKey);
    expect(sms).toEqual([expect.objectContaining({ to: phone })]);
    expect(sms[0]?.body).toMatch(
      /^Demo Bank: \d{6} is your verification code for registering for internet & mobile banking\. It expires in 1 minute\. Never share it\.\n\n@ib\.bank\.example #\d{6}$/,
    );
    const code = codeOf(serviceKey);
    // The WebOTP / SMS Retriever line (MFA_WEBOTP_HOST) ends the message and carries the same code.
    expect(String(sms[0]?.body).endsWith(`\n\n@ib.bank.example #${code}`)).toBe(true);

    const candidates = [wrong(code), wrong(wrong(code))];
    const first = await verify(serviceKey, securityKey, candidates[0] as string);
    expect(first.status).toBe(422);
    expect(first.headers.get('content-type')).toMatch(/problem\+json/);
    expect(first.body).toMatchObject({
      code: 'OTP_INVALID',
      status: 422,
      challengeStatus: 'PENDING',
      remainingVerifyAttempts: 4,
      expiresAt: res.body.expiresAt,
      remainingResendAttempts: 3,
    });
    const second = await verify(serviceKey, securityKey, candidates[1] as string);
    expect(second.body).toMatchObject({ code: 'OTP_INVALID', remainingVerifyAttempts: 3 });

    // A wrong securityKey is refused by the validator: 403, and not one history event.
    const eventsBefore = (await historyOf(serviceKey)).events?.length;
    const badKey = await verify(serviceKey, 'A'.repeat(43), code);
    expect(badKey.status).toBe(403);
    expect(badKey.body).toMatchObject({ code: 'SECURITY_KEY_INVALID' });
    expect(badKey.body).not.toHaveProperty('remainingVerifyAttempts');
    expect((await historyOf(serviceKey)).events?.length).toBe(eventsBefore);

    const ok = await verify(serviceKey, securityKey, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'VERIFIED', isOtpVerified: true, remainingVerifyAttempts: 3 });
    // The same request again (a client retry after a lost answer) gets the same answer;
    // a new one is refused: the code was used.
    expect((await verify(serviceKey, securityKey, code)).status).toBe(200);
    const again = await verifyAnew(serviceKey, securityKey, code);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ALREADY_VERIFIED', challengeStatus: 'VERIFIED' });

    const history = await historyOf(serviceKey);
    expect(new Set(encodings(history))).toEqual(new Set(['binary/encrypted']));
    const decoded = await decodedHistoryText(stack.codec, history);
    expect(decoded).toContain(serviceKey); // decoding works: the check below is not vacuous
    for (const secret of [code, ...candidates]) expect(containsCode(decoded, secret)).toBe(false);
    expect(decoded).not.toContain(securityKey);
    const logs = stack.logs.join('\n');
    for (const secret of [code, ...candidates]) expect(containsCode(logs, secret)).toBe(false);
    expect(logs).not.toContain(securityKey);

    const state = await api('GET', `/mfa/challenges/${serviceKey}`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'VERIFIED', serviceKey });
    expect(state.body).not.toHaveProperty('securityKey');
  });

  it('resends the same code with counters, 429 with Retry-After when too soon or out of resends', async () => {
    const { serviceKey, securityKey } = await challenge({ purpose: 'ONBOARDING', phone: newPhone() });
    const code = codeOf(serviceKey);
    const tooSoon = await resend(serviceKey, securityKey);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ code: 'RESEND_TOO_SOON', remainingResendAttempts: 3 });
    const retryAfter = Number(tooSoon.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(COOLDOWN_SECONDS);

    for (let n = 1; n <= 3; n++) {
      await sleep(COOLDOWN_SECONDS * 1000 + 100);
      const resent = await resend(serviceKey, securityKey);
      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({
        serviceKey,
        securityKey,
        status: 'PENDING',
        codeLength: 6,
        remainingResendAttempts: 3 - n,
        remainingVerifyAttempts: 5,
        customerCommunication: { phone: [{ masked: expect.any(String) }] },
      });
    }
    // Four messages, one code: an SMS still in flight keeps working.
    expect(messagesOf(serviceKey).map((m) => codeIn(m.body))).toEqual([code, code, code, code]);
    await sleep(COOLDOWN_SECONDS * 1000 + 100);
    const spent = await resend(serviceKey, securityKey);
    expect(spent.status).toBe(429);
    expect(spent.body).toMatchObject({
      code: 'RESEND_LIMIT_REACHED',
      remainingResendAttempts: 0,
      resendAvailableAt: null,
    });
    // No resend before the code expires: Retry-After says so.
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(spent.headers.get('retry-after'))).toBeLessThanOrEqual(TTL_SECONDS);
    expect((await verify(serviceKey, securityKey, code)).status).toBe(200);
  }, 60_000);

  it('answers 404 for an unknown serviceKey and 403 for a wrong securityKey', async () => {
    const unknown = randomUUID();
    for (const res of [
      await verify(unknown, 'key', '123456'),
      await resend(unknown, 'key'),
      await api('GET', `/mfa/challenges/${unknown}`),
      await api('GET', '/mfa/challenges/not-a-key'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('CHALLENGE_NOT_FOUND');
    }
    const { serviceKey } = await challenge({ purpose: 'ONBOARDING', phone: newPhone() });
    expect((await resend(serviceKey, 'wrong-key')).status).toBe(403);
    expect((await verify(serviceKey, 'wrong-key', codeOf(serviceKey))).body.code).toBe(
      'SECURITY_KEY_INVALID',
    );
    expect((await api('POST', '/mfa/challenges', { purpose: 'LOGIN', phone: newPhone() })).status).toBe(400);
    expect(
      (await call(stack.apiUrl, 'POST', '/mfa/challenges', { body: { purpose: 'ONBOARDING' } })).status,
    ).toBe(401);
  });

  it('locks after five wrong codes: 423 MAX_ATTEMPTS_EXCEEDED', async () => {
    const { serviceKey, securityKey } = await challenge({ purpose: 'ONBOARDING', phone: newPhone() });
    const code = codeOf(serviceKey);
    const statuses: number[] = [];
    // Five different wrong codes (the same one again would be a retry of one attempt).
    for (let i = 0; i < 5; i++)
      statuses.push((await verify(serviceKey, securityKey, wrong(code, i + 1))).status);
    expect(statuses).toEqual([422, 422, 422, 422, 423]);
    const locked = await verify(serviceKey, securityKey, code);
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: 'MAX_ATTEMPTS_EXCEEDED', challengeStatus: 'LOCKED' });
  });

  it('cancels with DELETE', async () => {
    const { serviceKey, securityKey } = await challenge({ purpose: 'ONBOARDING', phone: newPhone() });
    expect(
      (await api('DELETE', `/mfa/challenges/${serviceKey}`, undefined, { 'x-security-key': 'nope' })).status,
    ).toBe(403);
    const cancelled = await api('DELETE', `/mfa/challenges/${serviceKey}`, undefined, {
      'x-security-key': securityKey,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', resendAvailableAt: null });
    const after = await verify(serviceKey, securityKey, codeOf(serviceKey));
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('CHALLENGE_CANCELLED');
  });

  it('answers 202 with the keys when the first code is still going out at the end of the wait budget', async () => {
    await call(stack.simulatorUrl, 'PUT', '/admin/faults', { body: { latencyMs: 2_500 } });
    try {
      const slow = await api(
        'POST',
        '/mfa/challenges',
        { purpose: 'LOGIN', userId: 'IBU00100002' },
        {
          Prefer: 'wait=1',
        },
      );
      expect(slow.status).toBe(202);
      const serviceKey = slow.body.serviceKey as string;
      expect(slow.headers.get('location')).toBe(`/mfa/challenges/${serviceKey}`);
      expect(slow.body).toMatchObject({ status: 'SENDING', securityKey: expect.any(String) });
      for (
        let i = 0;
        i < 40 && (await api('GET', `/mfa/challenges/${serviceKey}`)).body.status === 'SENDING';
        i++
      ) {
        await sleep(250);
      }
      const state = await api('GET', `/mfa/challenges/${serviceKey}`);
      expect(state.body).toMatchObject({
        status: 'PENDING',
        customerCommunication: { phone: [{ masked: '+254••••••002' }] },
      });
      expect((await verify(serviceKey, slow.body.securityKey as string, codeOf(serviceKey))).status).toBe(
        200,
      );
    } finally {
      await call(stack.simulatorUrl, 'DELETE', '/admin/faults');
    }
  });

  it('sends a LOGIN code to the registered contacts of a user, by userId', async () => {
    const created = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
      body: {
        businessKey: 'e2e-mfa-login-user',
        customerId: '100005',
        username: 'grace.njeri',
        channel: 'MB',
        acceptedDisclosures: ['IB_TERMS'],
      },
    });
    expect(created.status).toBe(201);
    const userId = created.body.userId as string;
    const { serviceKey, securityKey, res } = await challenge({ purpose: 'LOGIN', userId });
    expect(res.body).toMatchObject({
      purpose: 'LOGIN',
      userId,
      customerCommunication: {
        phone: [{ masked: '+254••••••005' }],
        email: [{ masked: expect.stringMatching(/^g•+@example\.com$/) }],
      },
    });
    expect(messagesOf(serviceKey)).toEqual([expect.objectContaining({ to: '+254700100005' })]);
    expect(messagesOf(serviceKey)[0]?.body).toContain('verification code for signing in');
    const email = messagesOf(serviceKey, 'email');
    expect(email).toEqual([expect.objectContaining({ to: 'grace.njeri@example.com' })]);
    expect(codeIn(email[0]?.text)).toBe(codeOf(serviceKey));
    expect((await verify(serviceKey, securityKey, codeOf(serviceKey))).status).toBe(200);

    const unknown = await create({ purpose: 'LOGIN', userId: 'IBU99999999' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');

    // A channel token is not bound to the user it names: a deactivated user looks exactly
    // like an unknown one (no status, no id echoed), so user ids cannot be enumerated.
    const deactivated = await call(stack.simulatorUrl, 'POST', `/esb/v1/ib-users/${userId}/deactivate`, {
      body: { reason: 'e2e enumeration check' },
    });
    expect(deactivated.status).toBe(200);
    const inactive = await create({ purpose: 'LOGIN', userId });
    const shape = (r: typeof unknown) => {
      const { requestId: _r, instance: _i, ...rest } = r.body;
      return { status: r.status, body: rest };
    };
    expect(shape(inactive)).toEqual(shape(unknown));
    expect(JSON.stringify(inactive.body)).not.toMatch(/DEACTIVATED|not active|IBU/i);
  });

  it('refuses the 6th code to one destination within 10 minutes: 429 DESTINATION_RATE_LIMITED, nothing sent', async () => {
    const phone = newPhone();
    for (let i = 0; i < 5; i++) await challenge({ purpose: 'ONBOARDING', phone });
    const sent = stack.outbox('sms').filter((m) => m.to === phone).length;
    expect(sent).toBe(5);
    const sixth = await create({ purpose: 'ONBOARDING', phone });
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ code: 'DESTINATION_RATE_LIMITED', challengeStatus: 'FAILED' });
    expect(sixth.body).not.toHaveProperty('securityKey');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(stack.outbox('sms').filter((m) => m.to === phone)).toHaveLength(5);
  });

  it('is consumed once by another process, then stays queryable and refuses further use', async () => {
    const { serviceKey, securityKey } = await challenge({ purpose: 'ONBOARDING', phone: newPhone() });
    const code = codeOf(serviceKey);
    expect((await verify(serviceKey, securityKey, code)).status).toBe(200);
    const handle = stack.client.workflow.getHandle(mfaProcessId(serviceKey));
    await handle.executeUpdate(consumeUpdate, {
      args: [{ purpose: 'ONBOARDING', consumerProcessId: 'onboard-1' }],
    });
    await handle.result();
    // The run has ended: the API answers from its final state (and still checks the key).
    const view = await api('GET', `/processes/mfa-${serviceKey}`);
    expect(view.body).toMatchObject({
      status: 'COMPLETED',
      processType: 'MfaChallenge',
      result: { status: 'CONSUMED' },
    });
    expect((await api('GET', `/mfa/challenges/${serviceKey}`)).body).toMatchObject({
      status: 'CONSUMED',
      consumedBy: 'onboard-1',
    });
    const late = await verifyAnew(serviceKey, securityKey, code);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'ALREADY_VERIFIED', challengeStatus: 'CONSUMED' });
    expect((await verify(serviceKey, 'wrong', code)).status).toBe(403);
  });

  describe('Temenos Infinity DbxUser paths', () => {
    const infinity = (operation: string, body: unknown, auth = token) =>
      call(stack.apiUrl, 'POST', `${INFINITY}/${operation}`, { token: auth, body });
    const requestPreLogin = (body: unknown) => infinity('requestOTPPreLoginMB', body);
    const verifyPreLogin = (serviceKey: string, securityKey: string, otp: string) =>
      infinity('verifyOTPPreLoginMB', { MFAAttributes: { serviceKey, OTP: { securityKey, otp } } });
    const keysOf = (res: { body: Record<string, unknown> }) => {
      const attrs = res.body.MFAAttributes as Record<string, string>;
      return { serviceKey: attrs.serviceKey as string, securityKey: attrs.securityKey as string };
    };
    const infinityError = (dbpErrCode: string, httpStatusCode: number) => ({
      dbpErrCode,
      dbpErrMsg: expect.any(String),
      opstatus: dbpErrCode,
      httpStatusCode: String(httpStatusCode),
    });

    it('requests, resends and verifies in Infinity shapes', async () => {
      const phone = newPhone();
      const requested = await requestPreLogin({ Phone: phone.slice(1), MFAAttributes: {} });
      expect(requested.status).toBe(200);
      expect(requested.body).toMatchObject({
        opstatus: '0',
        httpStatusCode: '0',
        MFAAttributes: {
          serviceKey: expect.any(String),
          securityKey: expect.any(String),
          sacCodeLength: '6',
          remainingResendAttempts: '3',
          sacMaxResendRequestsAllowed: '3',
          communicationType: 'DISPLAY_PRIMARY',
          customerCommunication: {
            phone: [{ masked: expect.stringMatching(/•/), referenceId: expect.any(String) }],
          },
          isMFARequired: 'true',
          MFAType: 'SECURE_ACCESS_CODE',
          status: 'PENDING',
          remainingVerifyAttempts: '5',
        },
      });
      const { serviceKey, securityKey } = keysOf(requested);
      const code = codeOf(serviceKey);
      expect(messagesOf(serviceKey)[0]?.to).toBe(phone);

      // A request carrying the serviceKey is a resend.
      const keyed = { Phone: phone, MFAAttributes: JSON.stringify({ serviceKey, OTP: { securityKey } }) };
      const tooSoon = await requestPreLogin(keyed);
      expect(tooSoon.status).toBe(429);
      expect(tooSoon.headers.get('retry-after')).toBeTruthy();
      expect(tooSoon.body).toMatchObject(infinityError('10574', 429));
      await sleep(COOLDOWN_SECONDS * 1000 + 100);
      const resent = await requestPreLogin(keyed);
      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({
        opstatus: '0',
        MFAAttributes: {
          serviceKey,
          securityKey,
          remainingResendAttempts: '2',
          sacMaxResendRequestsAllowed: '3',
        },
      });
      expect(codeIn(messagesOf(serviceKey)[1]?.body)).toBe(code);

      const mismatch = await verifyPreLogin(serviceKey, securityKey, wrong(code));
      expect(mismatch.status).toBe(422);
      expect(mismatch.body).toMatchObject({
        ...infinityError('10581', 422),
        MFAAttributes: { remainingFailedAttempts: '4' },
      });
      expect(mismatch.headers.get('content-type')).toMatch(/^application\/json/);

      const verified = await verifyPreLogin(serviceKey, securityKey, code);
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({
        opstatus: '0',
        httpStatusCode: '0',
        success: 'OTP verified successfully.',
        isOtpVerified: 'true',
      });
    }, 60_000);

    it('answers each error in Infinity shape: 10582 bad keys, 10583 exhausted, 10573 resend limit', async () => {
      const { serviceKey, securityKey } = keysOf(await requestPreLogin({ Phone: newPhone() }));
      const code = codeOf(serviceKey);
      const badKey = await verifyPreLogin(serviceKey, 'wrong', code);
      expect(badKey.status).toBe(403);
      expect(badKey.body).toEqual(infinityError('10582', 403));
      const unknown = await verifyPreLogin(randomUUID(), securityKey, code);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(infinityError('10582', 404));

      const attempts: unknown[] = [];
      for (let i = 0; i < 5; i++)
        attempts.push((await verifyPreLogin(serviceKey, securityKey, wrong(code, i + 1))).body.dbpErrCode);
      expect(attempts).toEqual(['10581', '10581', '10581', '10581', '10583']);
      const exhausted = await verifyPreLogin(serviceKey, securityKey, code);
      expect(exhausted.status).toBe(423);
      expect(exhausted.body).toMatchObject(infinityError('10583', 423));

      const second = keysOf(await requestPreLogin({ Phone: newPhone() }));
      const keyed = {
        MFAAttributes: { serviceKey: second.serviceKey, OTP: { securityKey: second.securityKey } },
      };
      for (let n = 0; n < 3; n++) {
        await sleep(COOLDOWN_SECONDS * 1000 + 100);
        expect((await requestPreLogin(keyed)).status).toBe(200);
      }
      await sleep(COOLDOWN_SECONDS * 1000 + 100);
      const limit = await requestPreLogin(keyed);
      expect(limit.status).toBe(429);
      expect(limit.body).toMatchObject(infinityError('10573', 429));

      // A Phone given on verify must be where the code went.
      const fourth = keysOf(await requestPreLogin({ Phone: newPhone() }));
      const elsewhere = await infinity('verifyOTPPreLoginMB', {
        Phone: newPhone(),
        MFAAttributes: {
          serviceKey: fourth.serviceKey,
          OTP: { securityKey: fourth.securityKey, otp: '123456' },
        },
      });
      expect(elsewhere.body).toEqual(infinityError('10582', 403));

      // Even a body that is not JSON gets Infinity's shape, not problem+json.
      const malformed = await fetch(`${stack.apiUrl}${INFINITY}/verifyOTPPreLoginMB`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"MFAAttributes": ',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await malformed.json()).toEqual(infinityError('10500', 400));
    }, 60_000);

    it('sends the security-questions code to the authenticated user and binds it to that user', async () => {
      const user = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
        body: {
          businessKey: 'e2e-mfa-sq-user',
          customerId: '100001',
          username: 'amina.wanjiru',
          channel: 'MB',
          acceptedDisclosures: ['IB_TERMS'],
        },
      });
      const userId = user.body.userId as string;
      const userToken = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: userId });
      const otherToken = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: 'IBU00100002' });

      const anonymous = await call(stack.apiUrl, 'POST', `${INFINITY}/requestUpdateSecurityQuestionsOTP`, {
        body: {},
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject(infinityError('10401', 401));

      const requested = await infinity('requestUpdateSecurityQuestionsOTP', {}, userToken);
      expect(requested.status).toBe(200);
      expect(requested.body).toMatchObject({
        opstatus: '0',
        MFAAttributes: {
          customerCommunication: { phone: [{ masked: '+254••••••001' }] },
          MFAType: 'SECURE_ACCESS_CODE',
        },
      });
      const { serviceKey, securityKey } = keysOf(requested);
      expect(messagesOf(serviceKey)[0]).toMatchObject({ to: '+254700100001' });
      expect(messagesOf(serviceKey)[0]?.body).toContain('changing your security questions');
      const code = codeOf(serviceKey);
      const body = { MFAAttributes: { serviceKey, OTP: { securityKey, otp: code } } };

      // Another user's token, or the pre-login verify, cannot use this challenge.
      expect((await infinity('verifyUpdateSecurityQuestionsOTP', body, otherToken)).body).toMatchObject(
        infinityError('10582', 403),
      );
      expect((await infinity('verifyOTPPreLoginMB', body)).body).toMatchObject(infinityError('10582', 403));

      const verified = await infinity('verifyUpdateSecurityQuestionsOTP', body, userToken);
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ opstatus: '0', isOtpVerified: 'true' });
    });
  });

  it('expires at the TTL: 410 OTP_EXPIRED, and Infinity 10580', async () => {
    const { serviceKey, securityKey, res, infinityKeys } = expiring;
    await sleep(Math.max(0, Date.parse(res.body.expiresAt as string) - Date.now()) + 1000);
    const expired = await verify(serviceKey, securityKey, codeOf(serviceKey));
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: 'OTP_EXPIRED', challengeStatus: 'EXPIRED' });
    // The Infinity challenge was made after the native one: it has expired too.
    const infinityExpired = await call(stack.apiUrl, 'POST', `${INFINITY}/verifyOTPPreLoginMB`, {
      token,
      body: {
        MFAAttributes: {
          serviceKey: infinityKeys.serviceKey,
          OTP: { securityKey: infinityKeys.securityKey, otp: codeOf(infinityKeys.serviceKey) },
        },
      },
    });
    expect(infinityExpired.status).toBe(410);
    expect(infinityExpired.body).toMatchObject({
      dbpErrCode: '10580',
      opstatus: '10580',
      httpStatusCode: '410',
      MFAAttributes: { status: 'EXPIRED' },
    });
  }, 60_000);
});

import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { userLockWorkflowId } from '../../messages/mfa-user-lock';
import { coreMarkerData, decodedHistoryText, encodings } from '../helpers/history';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
const USER = 'IBU00100002'; // seeded, active; registered phone +254700100002

/**
 * The per-user OTP lockout through HTTP (API → dev server → real worker): three wrong
 * codes in a row across two challenges of one user lock that user's codes for
 * MFA_USER_LOCK_MINUTES, on verify and on create, with Retry-After.
 */
describe('per-user OTP lockout end to end', () => {
  let stack: Stack;
  let token: string;
  let phoneSeq = 0;
  /** A fresh number per challenge, so the destination quota never interferes. */
  const newPhone = () => `+2547004${String(++phoneSeq).padStart(5, '0')}`;

  beforeAll(async () => {
    stack = await startStack({ MFA_USER_MAX_CONSECUTIVE_FAILURES: '3', MFA_USER_LOCK_MINUTES: '30' });
    token = await stack.token('mfa:write mfa:any-user');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (method: string, url: string, body?: unknown) =>
    call(stack.apiUrl, method, url, { token, body });
  const create = (body: Record<string, unknown>) => api('POST', '/mfa/challenges', body);
  const verify = (serviceKey: string, securityKey: string, otp: string) =>
    api('POST', `/mfa/challenges/${serviceKey}/verify`, { securityKey, otp });
  const sms = () => stack.outbox('sms');
  const codeOf = (serviceKey: string) =>
    /(\d{6}) is your verification code/.exec(
      String(sms().find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`))?.body),
    )?.[1] as string;
  let wrongs = 0;
  /** A different wrong code each call: the same one again would be a retry of one attempt. */
  const wrong = (code: string) => code.slice(0, 5) + String((Number(code[5]) + 1 + (wrongs++ % 9)) % 10);

  async function challenge(userId: string) {
    const res = await create({ purpose: 'UPDATE_PHONE', userId, phone: newPhone() });
    expect(res.status).toBe(201);
    const serviceKey = res.body.serviceKey as string;
    return { serviceKey, securityKey: res.body.securityKey as string, code: codeOf(serviceKey) };
  }

  const retryAfter = (res: { headers: Headers }) => Number(res.headers.get('retry-after'));
  /** The challenges of the first test, with their codes, for the history checks. */
  const seen: { serviceKey: string; code: string }[] = [];

  it('locks the user after 3 wrong codes across two challenges: 423 USER_OTP_LOCKED with Retry-After on verify and create, nothing sent', async () => {
    const a = await challenge(USER);
    const b = await challenge(USER);
    seen.push(a, b);
    for (let i = 0; i < 2; i++) {
      const r = await verify(a.serviceKey, a.securityKey, wrong(a.code));
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('OTP_INVALID');
    }

    // The third wrong code in a row, on the other challenge (before: 422 OTP_INVALID).
    const locking = await verify(b.serviceKey, b.securityKey, wrong(b.code));
    expect(locking.status).toBe(423);
    expect(locking.headers.get('content-type')).toMatch(/problem\+json/);
    expect(locking.body).toMatchObject({
      code: 'USER_OTP_LOCKED',
      status: 423,
      challengeStatus: 'PENDING',
      remainingVerifyAttempts: 4,
      retryAfterSeconds: expect.any(Number),
      lockedUntil: expect.any(String),
    });
    expect(retryAfter(locking)).toBe(locking.body.retryAfterSeconds);
    expect(retryAfter(locking)).toBeGreaterThan(29 * 60);
    expect(retryAfter(locking)).toBeLessThanOrEqual(30 * 60);

    // While locked, even the right code is refused, the same way, on either challenge.
    for (const c of [a, b]) {
      const r = await verify(c.serviceKey, c.securityKey, c.code);
      expect(r.status).toBe(423);
      expect(r.body).toMatchObject({ code: 'USER_OTP_LOCKED', challengeStatus: 'PENDING' });
      expect(retryAfter(r)).toBeGreaterThan(29 * 60);
    }

    // A new challenge for the locked user: 423, and no message goes out.
    const sent = sms().length;
    const refused = await create({ purpose: 'UPDATE_PHONE', userId: USER, phone: newPhone() });
    expect(refused.status).toBe(423);
    expect(refused.body).toMatchObject({ code: 'USER_OTP_LOCKED', retryAfterSeconds: expect.any(Number) });
    expect(retryAfter(refused)).toBeGreaterThan(29 * 60);
    const login = await create({ purpose: 'LOGIN', userId: USER });
    expect(login.status).toBe(423);
    expect(sms().length).toBe(sent);

    // Infinity's shape: its own dbpErrCode, the native status and Retry-After.
    const userToken = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: USER });
    const infinity = await call(stack.apiUrl, 'POST', `${INFINITY}/requestUpdateSecurityQuestionsOTP`, {
      token: userToken,
      body: {},
    });
    expect(infinity.status).toBe(423);
    expect(infinity.body).toMatchObject({ dbpErrCode: '10589', httpStatusCode: '423' });
    expect(retryAfter(infinity)).toBeGreaterThan(29 * 60);
    expect(sms().length).toBe(sent);
  }, 60_000);

  it('counts only the user: another user, and pre-login codes to a typed phone, are not locked', async () => {
    const other = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
      body: {
        businessKey: 'e2e-user-lock-other',
        customerId: '100005',
        username: 'grace.njeri',
        channel: 'MB',
        acceptedDisclosures: ['IB_TERMS'],
      },
    });
    const c = await challenge(other.body.userId as string);
    expect((await verify(c.serviceKey, c.securityKey, c.code)).status).toBe(200);

    const phone = newPhone();
    const pre = await create({ purpose: 'ONBOARDING', phone });
    const serviceKey = pre.body.serviceKey as string;
    const securityKey = pre.body.securityKey as string;
    const code = codeOf(serviceKey);
    for (let i = 0; i < 3; i++) expect((await verify(serviceKey, securityKey, wrong(code))).status).toBe(422);
    expect((await verify(serviceKey, securityKey, code)).status).toBe(200);
  }, 60_000);

  it('keeps the lock entity and the challenges encrypted at rest; the SDK markers hold no code', async () => {
    const handle = stack.client.workflow.getHandle(userLockWorkflowId(USER));
    expect((await handle.describe()).type).toBe('MfaUserOtpLock');
    const raw = await handle.fetchHistory();
    expect(new Set(encodings(raw))).toEqual(new Set(['binary/encrypted']));
    const decoded = await decodedHistoryText(stack.codec, raw);
    expect(decoded).toContain('consecutiveFailures'); // decoding works: the checks below are not vacuous
    for (const { serviceKey, code } of seen) {
      const history = await stack.client.workflow.getHandle(mfaProcessId(serviceKey)).fetchHistory();
      expect(new Set(encodings(history))).toEqual(new Set(['binary/encrypted']));
      // The plain JSON the SDK writes itself: each local activity's bookkeeping (no patch
      // ids: a pinned challenge keeps no patched() since the release baseline).
      const markers = coreMarkerData(history);
      expect(markers.filter((m) => m.marker === 'core_patch')).toEqual([]);
      // The send is a regular activity (per destination): not a local marker.
      const local = markers.filter((m) => m.marker === 'core_local_activity');
      expect(local.map((m) => m.activity_type)).toEqual([
        'resolveChallengeDestinations',
        'reserveDestinationSend',
      ]);
      for (const m of local) {
        expect(Object.keys(m).sort()).toEqual([
          'activity_id',
          'activity_type',
          'attempt',
          'backoff',
          'complete_time',
          'marker',
          'original_schedule_time',
          'seq',
        ]);
      }
      const decodedText = await decodedHistoryText(stack.codec, history);
      expect(decodedText).toContain(serviceKey);
      for (const otp of [code, wrong(code)])
        expect(decodedText).not.toMatch(new RegExp(`(?<!\\d)${otp}(?!\\d)`));
    }
  });
});

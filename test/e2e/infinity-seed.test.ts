import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
/** A seeded active user with a phone and an email on file (simulator/seed.ts). */
const USER_ID = 'IBU00100002';
const USER_PHONE = '+254700100002';
const USER_EMAIL = 'brian.otieno@example.com';

type Body = Record<string, unknown>;
interface Contact {
  masked: string;
  referenceId: string;
}

/**
 * Temenos Infinity DbxUser through HTTP, the real worker and the outboxes, with the seed's
 * own request bodies (`"OTP": {"phone": "<referenceId>"}`) and its answers compared field by
 * field (docs/mfa.md, "Temenos Infinity-compatible DbxUser operations").
 */
function suite(stackOf: () => Stack) {
  const userToken = () => mintDevToken(stackOf().config, { scopes: ['mfa:write'], subject: USER_ID });
  const infinity = async (operation: string, body: unknown, token?: string) =>
    call(stackOf().apiUrl, 'POST', `${INFINITY}/${operation}`, { token: token ?? (await userToken()), body });
  const messagesOf = (serviceKey: string, box: 'sms' | 'email') =>
    stackOf()
      .outbox(box)
      .filter((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
  const codeIn = (text: unknown) => /(\d{6}) is your verification code/.exec(String(text))?.[1] as string;
  const attrs = (res: { body: Body }) => res.body.MFAAttributes as Record<string, unknown>;
  const contacts = (res: { body: Body }) =>
    attrs(res).customerCommunication as { phone: Contact[]; email: Contact[] };
  return { infinity, messagesOf, codeIn, attrs, contacts, userToken };
}

describe('Infinity DbxUser: the seed shapes, code sent at once (default DISPLAY_PRIMARY)', () => {
  let stack: Stack;
  const t = suite(() => stack);

  beforeAll(async () => {
    stack = await startStack({ MFA_RESEND_COOLDOWN_SECONDS: '1' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a request field by field, and OTP.phone / OTP.email choose who gets the resend and the first send', async () => {
    const requested = await t.infinity('requestUpdateSecurityQuestionsOTP', { MFAAttributes: {} });
    expect(requested.status).toBe(200);
    const first = t.attrs(requested);
    const { phone, email } = t.contacts(requested);
    expect(phone).toEqual([
      { masked: expect.stringMatching(/•/), referenceId: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
    expect(email).toEqual([
      { masked: expect.stringMatching(/•/), referenceId: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
    // The seed's fields, each with the seed's value (every value a string).
    expect(requested.body.opstatus).toBe('0');
    expect(requested.body.httpStatusCode).toBe('0');
    expect(requested.body.success).toBe('OTP request sent successfully.');
    expect(first.sacCodeLength).toBe('6');
    expect(first.remainingResendAttempts).toBe('3');
    expect(first.sacMaxResendRequestsAllowed).toBe('3');
    expect(first.communicationType).toBe('DISPLAY_PRIMARY');
    expect(first.sacPreferenceCriteria).toBe('PHONE_AND_EMAIL');
    expect(first.isMFARequired).toBe('true');
    expect(first.MFAType).toBe('SECURE_ACCESS_CODE');
    expect(first.serviceKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.securityKey).toEqual(expect.any(String));
    const serviceKey = first.serviceKey as string;
    const securityKey = first.securityKey as string;
    expect(t.messagesOf(serviceKey, 'sms').map((m) => m.to)).toEqual([USER_PHONE]);
    expect(t.messagesOf(serviceKey, 'email').map((m) => m.to)).toEqual([USER_EMAIL]);

    // The seed's resend body: the phone's referenceId chooses the phone alone.
    await new Promise((r) => setTimeout(r, 1100));
    const resent = await t.infinity('requestUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { phone: phone[0]!.referenceId, securityKey } },
    });
    expect(resent.status).toBe(200);
    expect(resent.body.success).toBe('OTP request sent successfully.');
    expect(t.attrs(resent)).toMatchObject({
      serviceKey,
      remainingResendAttempts: '2',
      communicationType: 'DISPLAY_PRIMARY',
      sacPreferenceCriteria: 'PHONE',
    });
    expect(t.messagesOf(serviceKey, 'sms')).toHaveLength(2);
    expect(t.messagesOf(serviceKey, 'email')).toHaveLength(1);

    // A referenceId this challenge never offered: refused, nothing sent.
    await new Promise((r) => setTimeout(r, 1100));
    const foreign = await t.infinity('requestUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { email: '0000000000000000', securityKey } },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ dbpErrCode: '10588', opstatus: '10588', httpStatusCode: '422' });
    expect(t.messagesOf(serviceKey, 'sms')).toHaveLength(2);
    expect(t.messagesOf(serviceKey, 'email')).toHaveLength(1);

    // The verify answer, field by field.
    const code = t.codeIn(t.messagesOf(serviceKey, 'sms')[1]?.body);
    const verified = await t.infinity('verifyUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { securityKey, otp: code } },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.opstatus).toBe('0');
    expect(verified.body.httpStatusCode).toBe('0');
    expect(verified.body.success).toBe('OTP verified successfully.');
    expect(verified.body.isOtpVerified).toBe('true');

    // A first send naming the email (referenceIds are stable per contact): the email alone.
    const emailOnly = await t.infinity('requestUpdateSecurityQuestionsOTP', {
      MFAAttributes: { OTP: { email: email[0]!.referenceId } },
    });
    expect(emailOnly.status).toBe(200);
    expect(t.attrs(emailOnly)).toMatchObject({
      sacPreferenceCriteria: 'EMAIL',
      communicationType: 'DISPLAY_PRIMARY',
    });
    const second = t.attrs(emailOnly).serviceKey as string;
    expect(t.messagesOf(second, 'sms')).toHaveLength(0);
    expect(t.messagesOf(second, 'email').map((m) => m.to)).toEqual([USER_EMAIL]);
  }, 90_000);

  it('answers the pre-login request in the seed shape, for the typed phone', async () => {
    const token = await stack.token('mfa:prelogin');
    const res = await t.infinity('requestOTPPreLoginMB', { Phone: '254700300001', MFAAttributes: {} }, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      opstatus: '0',
      httpStatusCode: '0',
      success: 'OTP request sent successfully.',
      MFAAttributes: expect.objectContaining({
        sacCodeLength: '6',
        remainingResendAttempts: '3',
        sacMaxResendRequestsAllowed: '3',
        communicationType: 'DISPLAY_PRIMARY',
        sacPreferenceCriteria: 'PHONE',
        customerCommunication: {
          phone: [{ masked: expect.any(String), referenceId: expect.any(String) }],
          email: [],
        },
        isMFARequired: 'true',
        MFAType: 'SECURE_ACCESS_CODE',
        serviceKey: expect.any(String),
      }),
    });
  }, 60_000);
});

describe('Infinity DbxUser: offer, then send to the chosen contact (INFINITY_MFA_COMMUNICATION_TYPE=DISPLAY_ALL)', () => {
  let stack: Stack;
  const t = suite(() => stack);

  beforeAll(async () => {
    stack = await startStack({
      MFA_RESEND_COOLDOWN_SECONDS: '1',
      INFINITY_MFA_COMMUNICATION_TYPE: 'DISPLAY_ALL',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('lists the contacts and sends nothing until OTP.phone names one; then only that phone gets the code', async () => {
    const offered = await t.infinity('requestUpdateSecurityQuestionsOTP', { MFAAttributes: {} });
    expect(offered.status).toBe(200);
    expect(offered.body.success).toBeUndefined();
    expect(t.attrs(offered)).toMatchObject({
      communicationType: 'DISPLAY_ALL',
      sacPreferenceCriteria: 'NONE',
      status: 'OFFERED',
      remainingResendAttempts: '3',
      isMFARequired: 'true',
      MFAType: 'SECURE_ACCESS_CODE',
    });
    const { phone, email } = t.contacts(offered);
    expect(phone).toHaveLength(1);
    expect(email).toHaveLength(1);
    const serviceKey = t.attrs(offered).serviceKey as string;
    const securityKey = t.attrs(offered).securityKey as string;
    expect(t.messagesOf(serviceKey, 'sms')).toHaveLength(0);
    expect(t.messagesOf(serviceKey, 'email')).toHaveLength(0);

    // Nothing to verify yet.
    const early = await t.infinity('verifyUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { securityKey, otp: '123456' } },
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ dbpErrCode: '10586' });

    // The seed's body naming the phone: the first code, to the phone alone, no resend spent.
    const chosen = await t.infinity('requestUpdateSecurityQuestionsOTP', {
      MFAAttributes: { serviceKey, OTP: { phone: phone[0]!.referenceId, securityKey } },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.success).toBe('OTP request sent successfully.');
    expect(t.attrs(chosen)).toMatchObject({
      serviceKey,
      status: 'PENDING',
      communicationType: 'DISPLAY_ALL',
      sacPreferenceCriteria: 'PHONE',
      remainingResendAttempts: '3',
    });
    expect(t.messagesOf(serviceKey, 'sms').map((m) => m.to)).toEqual([USER_PHONE]);
    expect(t.messagesOf(serviceKey, 'email')).toHaveLength(0);

    const verified = await t.infinity('verifyUpdateSecurityQuestionsOTP', {
      MFAAttributes: {
        serviceKey,
        OTP: { securityKey, otp: t.codeIn(t.messagesOf(serviceKey, 'sms')[0]?.body) },
      },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ success: 'OTP verified successfully.', isOtpVerified: 'true' });
  }, 90_000);
});

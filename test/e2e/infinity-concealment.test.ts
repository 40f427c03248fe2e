import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';
const REAL = 'IBU00100002'; // seeded, active; registered phone +254700100002
const REGISTERED = '+254700100002';
const UNKNOWN = 'IBU09999999';

type Answer = Awaited<ReturnType<typeof call>>;

/**
 * A pre-login app opens a concealed challenge naming a user (POST /mfa/challenges with a
 * userId), then probes phone numbers through the Infinity pre-login pair with its keys.
 * Whatever the user (real or unknown) and whatever the phone (the one on file or not), the
 * Infinity answers are one and the same refusal, and nothing is sent: the pair cannot tell
 * whether the user exists nor which number is theirs.
 */
describe('the Infinity pre-login operations on concealed challenges', () => {
  let stack: Stack;
  let app: string;

  beforeAll(async () => {
    stack = await startStack({ MFA_CONCEALED_MIN_ANSWER_MS: '200' });
    app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'mobile-app' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const concealed = async (userId: string) => {
    const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: app,
      body: { purpose: 'ONBOARDING', userId },
    });
    expect(res.status).toBe(201);
    return { serviceKey: res.body.serviceKey as string, securityKey: res.body.securityKey as string };
  };
  const shape = (r: Answer) => ({ status: r.status, body: r.body });
  const messages = () => stack.outbox('sms').length + stack.outbox('email').length;

  it('answers every probe the same, whatever the user and the phone, and sends nothing', async () => {
    const real = await concealed(REAL);
    const unknown = await concealed(UNKNOWN);
    // The real user's code did go to the phone on file (the probes below must not tell).
    expect(
      stack
        .outbox('sms')
        .some((m) => m.to === REGISTERED && String(m.id).startsWith(mfaProcessId(real.serviceKey))),
    ).toBe(true);
    const before = messages();

    const answers: Answer[] = [];
    for (const keys of [real, unknown]) {
      for (const Phone of [REGISTERED, '+254700100009', REGISTERED.slice(1)]) {
        const MFAAttributes = { serviceKey: keys.serviceKey, OTP: { securityKey: keys.securityKey } };
        answers.push(
          await call(stack.apiUrl, 'POST', `${INFINITY}/requestOTPPreLoginMB`, {
            token: app,
            body: { Phone, MFAAttributes },
          }),
        );
        answers.push(
          await call(stack.apiUrl, 'POST', `${INFINITY}/verifyOTPPreLoginMB`, {
            token: app,
            body: {
              Phone,
              MFAAttributes: { ...MFAAttributes, OTP: { ...MFAAttributes.OTP, otp: '000000' } },
            },
          }),
        );
      }
    }
    const first = shape(answers[0] as Answer);
    expect(first.body).toMatchObject({ dbpErrCode: '10582' });
    for (const a of answers) expect(shape(a)).toEqual(first);
    expect(messages()).toBe(before);

    // The refusal spent nothing: the real challenge still takes its code on the native route.
    const state = await call(stack.apiUrl, 'GET', `/mfa/challenges/${real.serviceKey}`, { token: app });
    expect(state.body).toMatchObject({ status: 'PENDING', remainingVerifyAttempts: 5 });
  });
});

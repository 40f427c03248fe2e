import { randomUUID } from 'node:crypto';
import { mintDevToken } from '../../lib/dev-keys';
import { newSecurityKey, securityKeyDigest } from '../../lib/mfa-crypto';
import { loadServerKey } from '../../lib/server-key';
import { mfaPolicy } from '../../config/mfa-policy';
import { MFA_CHALLENGE_WORKFLOW, mfaProcessId, type MfaChallengeInput } from '../../messages/mfa';
import { call, startStack, type Stack } from '../helpers/stack';

const REAL = 'IBU00100002'; // seeded, active; phone +254700100002 and email brian.otieno@example.com
const PHONE = '+254700100002';
const EMAIL = 'brian.otieno@example.com';

/**
 * Step-up and reset codes prove possession of the phone on file, never the mailbox (NIST SP
 * 800-63B-4): mailbox → reset → step-up by email → phone change to a new SIM must not work.
 * API → dev server → real worker → simulator and outboxes.
 */
describe('step-up and reset codes go to the phone on file only', () => {
  let stack: Stack;
  let own: string;
  const mailsOf = (serviceKey: string) =>
    stack.outbox('email').filter((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
  const smsOf = (serviceKey: string) =>
    stack.outbox('sms').filter((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
  const codeOf = (serviceKey: string) =>
    /(\d{6}) is your verification code/.exec(
      String(smsOf(serviceKey).at(-1)?.body ?? mailsOf(serviceKey).at(-1)?.text),
    )?.[1] as string;

  beforeAll(async () => {
    stack = await startStack();
    own = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: REAL });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(['STEP_UP', 'RESET_PASSWORD'])(
    'sends a %s code to the phone and not to the email on file',
    async (purpose) => {
      const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: own,
        body: { purpose, userId: REAL },
      });
      expect(res.status).toBe(201);
      expect(res.body.customerCommunication).toMatchObject({ email: [] });
      expect((res.body.customerCommunication as { phone: unknown[] }).phone).toHaveLength(1);
      expect(smsOf(res.body.serviceKey as string).map((m) => m.to)).toEqual([PHONE]);
      expect(mailsOf(res.body.serviceKey as string)).toEqual([]);
      expect(stack.outbox('email').filter((m) => m.to === EMAIL)).toEqual([]);
    },
  );

  it('refuses a step-up or reset code to a user with an email and no phone on file', async () => {
    // Seeded customer 100003: email only.
    const user = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
      body: {
        businessKey: 'possession-100003',
        customerId: '100003',
        username: 'caroline.achieng',
        channel: 'MB',
        acceptedDisclosures: [],
      },
    });
    expect(user.status).toBe(201);
    const userId = user.body.userId as string;
    const token = await mintDevToken(stack.config, { scopes: ['mfa:write'], subject: userId });
    for (const purpose of ['STEP_UP', 'RESET_PASSWORD']) {
      const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', { token, body: { purpose, userId } });
      expect([res.status, res.body.code]).toEqual([422, 'NO_REGISTERED_CONTACT']);
    }
    expect(stack.outbox('email').filter((m) => m.to === 'caroline.achieng@example.com')).toEqual([]);
    // Its LOGIN codes still go to the email on file.
    const login = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'LOGIN', userId },
    });
    expect(login.status).toBe(201);
  });

  it('refuses a reset delivered by email on a proof whose code also went to a mailbox', async () => {
    // A RESET_PASSWORD challenge whose code went to the email too, as runs from before this rule did.
    const serverKey = loadServerKey({ keysDir: stack.config.keysDir });
    const serviceKey = randomUUID();
    const securityKey = newSecurityKey();
    const input: MfaChallengeInput = {
      serviceKey,
      purpose: 'RESET_PASSWORD',
      userId: REAL,
      phone: PHONE,
      email: EMAIL,
      securityKeyDigest: securityKeyDigest(serverKey, securityKey),
      policy: mfaPolicy(stack.config),
    };
    const handle = await stack.client.workflow.start(MFA_CHALLENGE_WORKFLOW, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: mfaProcessId(serviceKey),
      args: [input],
    });
    const deadline = Date.now() + 30_000;
    while (mailsOf(serviceKey).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const verified = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
      token: own,
      body: { securityKey, otp: codeOf(serviceKey) },
    });
    expect(verified.body.status).toBe('VERIFIED');
    const bank = await stack.token('ib-users:write');
    const reset = await call(stack.apiUrl, 'POST', '/reset-user-ib', {
      token: bank,
      body: {
        requestId: 'possession-reset-1',
        userId: REAL,
        mfa: { serviceKey, securityKey },
        credentialDelivery: 'EMAIL',
      },
    });
    expect([reset.status, reset.body.code]).toEqual([403, 'MFA_NOT_VERIFIED']);
    expect((await handle.describe()).status.name).toBe('RUNNING'); // not consumed
  });
});

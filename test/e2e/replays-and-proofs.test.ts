import { WorkflowFailedError } from '@temporalio/client';
import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { RESET_PASSWORD_WORKFLOW, type ResetUserPasswordInput } from '../../messages/password-reset';
import { call, startStack, type Stack } from '../helpers/stack';

const REAL = 'IBU00100002'; // seeded, active; phone +254700100002

/**
 * Keyed replays belong to their caller, and a spent proof stays spent: HTTP on the dev
 * server with the real worker and simulator (issue #27, defects 9 and 10).
 */
describe('replays and proofs', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY: 'loopback' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("does not hand one app user's keyed challenge to another user of the same app token", async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'shared-app' });
    const create = (ip: string) =>
      call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: app,
        headers: { 'idempotency-key': 'app-generated-0001', 'x-forwarded-for': ip },
        body: { purpose: 'ONBOARDING', phone: '+254711900001' },
      });
    const mine = await create('198.51.100.20');
    expect(mine.status).toBe(201);
    // The same client retrying gets its own challenge back.
    const retry = await create('198.51.100.20');
    expect(retry.body.serviceKey).toBe(mine.body.serviceKey);
    expect(retry.body.securityKey).toBe(mine.body.securityKey);
    // Another end user of the same app, same key and body: a challenge of its own.
    const theirs = await create('198.51.100.77');
    expect(theirs.status).toBe(201);
    expect(theirs.body.serviceKey).not.toBe(mine.body.serviceKey);
    expect(theirs.body.securityKey).not.toBe(mine.body.securityKey);
  });

  it('refuses a proof another run of the same per-user process already consumed', async () => {
    const channel = await stack.token('mfa:write mfa:any-user');
    const created = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token: channel,
      body: { purpose: 'RESET_PASSWORD', userId: REAL },
    });
    expect(created.status).toBe(201);
    const serviceKey = created.body.serviceKey as string;
    const sms = stack.outbox('sms').find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`));
    const otp = /(\d{6}) is your verification code/.exec(String(sms?.body))?.[1];
    const verified = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
      token: channel,
      body: { securityKey: created.body.securityKey, otp },
    });
    expect(verified.body.status).toBe('VERIFIED');
    const reset = await call(stack.apiUrl, 'POST', '/reset-user-ib', {
      token: await stack.token('ib-users:write'),
      body: {
        requestId: 'spent-proof-0001',
        userId: REAL,
        mfa: { serviceKey, securityKey: created.body.securityKey },
      },
    });
    expect(reset.status).toBe(201);
    const smsAfterFirst = stack.outbox('sms').length;

    // A later run of reset-<userId> (the API's check raced, or started by hand) names the spent proof.
    const input: ResetUserPasswordInput = {
      requestId: 'spent-proof-0002',
      userId: REAL,
      mfaServiceKey: serviceKey,
      credentialDelivery: 'SMS',
      firstTimePasswordTtlMinutes: 60,
    };
    const second = stack.client.workflow.execute(RESET_PASSWORD_WORKFLOW, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reset-${REAL}`,
      args: [input],
    });
    const failure = await second.then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(JSON.stringify((failure as WorkflowFailedError).cause)).toMatch(/MFA_NOT_VERIFIED/);
    expect(stack.outbox('sms').length).toBe(smsAfterFirst); // no second password went out
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type {
  MfaChallengeActivities,
  ResolvedDestinations,
  SentCode,
} from '../../activities/mfa-proof-types';
import type { MfaUserLockActivities } from '../../activities/mfa-user-lock';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import {
  awaitInitialDeliveryUpdate,
  cancelUpdate,
  consumeUpdate,
  mfaStateQuery,
  resendUpdate,
  verifyUpdate,
  type ConsumeArgs,
  type MfaChallengeInput,
  type MfaPolicy,
  type MfaState,
} from '../../messages/mfa';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';
import { neverLockedUser } from '../helpers/mfa-doubles';

/** Real digests under a test server key, computed the way the API computes them. */
const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';
const CODE = '042917';

const policy: MfaPolicy = {
  codeLength: 6,
  ttlSeconds: 300,
  maxVerifyAttempts: 5,
  maxResends: 3,
  resendCooldownSeconds: 30,
  consumeWindowSeconds: 900,
};

interface Challenge {
  handle: WorkflowHandle;
  serviceKey: string;
  securityKey: string;
  created: MfaState;
  verify(otp: string, securityKey?: string): Promise<MfaState>;
  resend(securityKey?: string): Promise<MfaState>;
  state(): Promise<MfaState>;
  historyLength(): Promise<number>;
}

/** Activity doubles: the code is CODE; calls are recorded. */
function fakeActivities(over: Partial<MfaChallengeActivities & MfaUserLockActivities> = {}) {
  const calls: { name: string; input: unknown }[] = [];
  const destinations: ResolvedDestinations = {
    phone: [
      { masked: '+254••••••001', referenceId: 'ref-phone-1', digest: destinationDigest(SERVER_KEY, PHONE) },
    ],
    email: [],
    sealed: 'sealed-destinations',
  };
  const base: Omit<MfaChallengeActivities, 'sendChallengeLeg'> & MfaUserLockActivities = {
    ...neverLockedUser,
    resolveChallengeDestinations: async () => destinations,
    reserveDestinationSend: async ({ destinationDigests }) => ({ reserved: destinationDigests.length }),
    sendChallengeCode: async ({ serviceKey }): Promise<SentCode> => ({
      codeDigest: otpDigest(SERVER_KEY, serviceKey, CODE),
      sealedCode: 'sealed-code',
      deliveries: [{ channel: 'SMS', referenceId: 'ref-phone-1', provider: 'outbox' }],
    }),
    resendChallengeCode: async () => ({
      deliveries: [{ channel: 'SMS', referenceId: 'ref-phone-1', provider: 'outbox' }],
    }),
  };
  const merged = { ...base, ...over } as Record<string, (input: unknown) => Promise<unknown>>;
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      async (input: unknown) => {
        calls.push({ name, input });
        return fn(input);
      },
    ]),
  );
  // One leg per destination: recorded as the send it stands for.
  activities.sendChallengeLeg = (input: unknown) => (activities.sendChallengeCode as Call)(input);
  return { activities, calls, names: () => calls.map((c) => c.name) };
}
type Call = (input: unknown) => Promise<unknown>;

/**
 * History events other than workflow-task bookkeeping. The time-skipping server records
 * a workflow task for every Update, rejected or not (the real server's speculative task
 * leaves nothing, asserted end to end); a rejected Update must add nothing else.
 */
function businessEvents(history: { events?: object[] | null }): number {
  const bookkeeping = [
    'workflowTaskScheduledEventAttributes',
    'workflowTaskStartedEventAttributes',
    'workflowTaskCompletedEventAttributes',
  ];
  return (history.events ?? []).filter((e) => !bookkeeping.some((k) => (e as Record<string, unknown>)[k]))
    .length;
}

/** The refusal an Update failed with: its code and details. */
async function refusal(p: Promise<unknown>): Promise<{ type: string; details: Record<string, unknown> }> {
  const err = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type ?? '', details: (failure.details?.[0] ?? {}) as Record<string, unknown> };
}

describe('MfaChallenge workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // A run left open would have its timers fire during a later test's time skip, with no
  // worker on its task queue: its pending task would stop time skipping for everyone.
  const started: WorkflowHandle[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });

  /** Starts a challenge the way the API does: update-with-start awaiting the first delivery. */
  async function create(
    taskQueue: string,
    over: Partial<MfaChallengeInput> = {},
  ): Promise<Challenge | { error: unknown; handle: WorkflowHandle }> {
    const serviceKey = randomUUID();
    const securityKey = randomBytes(32).toString('base64url');
    const input: MfaChallengeInput = {
      serviceKey,
      purpose: 'UPDATE_PHONE',
      userId: 'IBU00000001',
      phone: PHONE,
      securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
      policy,
      ...over,
    };
    const startWorkflowOperation = new WithStartWorkflowOperation('MfaChallenge', {
      taskQueue,
      workflowId: `mfa-${serviceKey}`,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    void startWorkflowOperation.workflowHandle().then(
      (h) => started.push(h),
      () => undefined,
    );
    let created: MfaState;
    try {
      created = await env.client.workflow.executeUpdateWithStart(awaitInitialDeliveryUpdate, {
        startWorkflowOperation,
      });
    } catch (error) {
      return { error, handle: await startWorkflowOperation.workflowHandle() };
    }
    const handle = await startWorkflowOperation.workflowHandle();
    const key = (k?: string) => securityKeyDigest(SERVER_KEY, k ?? securityKey);
    return {
      handle,
      serviceKey,
      securityKey,
      created,
      verify: (otp, k) =>
        handle.executeUpdate(verifyUpdate, {
          args: [{ securityKeyDigest: key(k), otpDigest: otpDigest(SERVER_KEY, serviceKey, otp) }],
        }),
      resend: (k) => handle.executeUpdate(resendUpdate, { args: [{ securityKeyDigest: key(k) }] }),
      state: () => handle.query(mfaStateQuery),
      historyLength: async () => businessEvents(await handle.fetchHistory()),
    };
  }

  async function challenge(taskQueue: string, over: Partial<MfaChallengeInput> = {}): Promise<Challenge> {
    const c = await create(taskQueue, over);
    if ('error' in c) throw c.error;
    return c;
  }

  it('answers the create with the full state and sends once', async () => {
    const fake = fakeActivities();
    await withWorker(env, fake.activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      expect(c.created).toMatchObject({
        processId: `mfa-${c.serviceKey}`,
        serviceKey: c.serviceKey,
        status: 'PENDING',
        purpose: 'UPDATE_PHONE',
        mfaType: 'SECURE_ACCESS_CODE',
        codeLength: 6,
        remainingVerifyAttempts: 5,
        remainingResendAttempts: 3,
        maxResendRequestsAllowed: 3,
        customerCommunication: {
          phone: [{ masked: '+254••••••001', referenceId: 'ref-phone-1' }],
          email: [],
        },
      });
      const created = Date.parse(c.created.createdAt);
      expect(Date.parse(c.created.expiresAt) - created).toBe(300_000);
      expect(Date.parse(c.created.resendAvailableAt as string) - created).toBeGreaterThanOrEqual(30_000);
      expect(fake.names()).toEqual([
        'checkUserOtpLock',
        'resolveChallengeDestinations',
        'reserveDestinationSend',
        'sendChallengeCode',
      ]);
      expect(fake.calls[2]?.input).toMatchObject({
        ref: `mfa-${c.serviceKey}.send-0`,
        destinationDigests: [destinationDigest(SERVER_KEY, PHONE)],
      });
      // The state never holds the digests or sealed blobs.
      expect(JSON.stringify(c.created)).not.toMatch(/sealed|[0-9a-f]{64}/);
    });
  });

  it('verifies a right code one second before expiry', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      await env.sleep(299_000);
      const verified = await c.verify(CODE);
      expect(verified).toMatchObject({ status: 'VERIFIED', remainingVerifyAttempts: 5 });
      expect(verified.verifiedAt).not.toBeNull();
    });
  });

  it('expires exactly at the TTL: the right code is refused OTP_EXPIRED, status EXPIRED', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      await env.sleep(300_000);
      expect((await c.state()).status).toBe('EXPIRED');
      const before = await c.historyLength();
      const refused = await refusal(c.verify(CODE));
      expect(refused).toMatchObject({ type: 'OTP_EXPIRED', details: { status: 'EXPIRED' } });
      expect(await refusal(c.resend())).toMatchObject({ type: 'OTP_EXPIRED' });
      expect(await c.historyLength()).toBe(before);
      // After the late-call grace the run ends with its final state, still queryable.
      const result = (await c.handle.result()) as MfaState;
      expect(result.status).toBe('EXPIRED');
      expect((await c.state()).status).toBe('EXPIRED');
      const trail = await c.handle.query(processStateQuery);
      expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toContain('EXPIRE:COMPLETED');
    });
  });

  it('locks after the maximum of wrong codes, counting down the attempts', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      const remaining: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await refusal(c.verify(`00000${i}`));
        expect(r.type).toBe('OTP_INVALID');
        remaining.push(r.details.remainingVerifyAttempts);
      }
      expect(remaining).toEqual([4, 3, 2, 1]);
      expect(await refusal(c.verify('999999'))).toMatchObject({
        type: 'MAX_ATTEMPTS_EXCEEDED',
        details: { status: 'LOCKED', remainingVerifyAttempts: 0 },
      });
      // Even the right code no longer works.
      expect(await refusal(c.verify(CODE))).toMatchObject({ type: 'MAX_ATTEMPTS_EXCEEDED' });
      expect(await c.state()).toMatchObject({ status: 'LOCKED', resendAvailableAt: null });
    });
  });

  it('enforces the resend cooldown and budget, re-sending the same code', async () => {
    const fake = fakeActivities();
    await withWorker(env, fake.activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      const tooSoon = await refusal(c.resend());
      expect(tooSoon.type).toBe('RESEND_TOO_SOON');
      expect(tooSoon.details.retryAfterSeconds).toBeGreaterThan(25);
      expect(tooSoon.details.retryAfterSeconds).toBeLessThanOrEqual(30);

      for (let n = 1; n <= 3; n++) {
        await env.sleep(30_000);
        const resent = await c.resend();
        expect(resent).toMatchObject({ status: 'PENDING', remainingResendAttempts: 3 - n });
      }
      const resends = fake.calls.filter((x) => x.name === 'resendChallengeCode');
      expect(resends.map((x) => x.input)).toEqual(
        [1, 2, 3].map((sendNumber) => expect.objectContaining({ sealedCode: 'sealed-code', sendNumber })),
      );
      expect(fake.calls.filter((x) => x.name === 'sendChallengeCode')).toHaveLength(1);

      await env.sleep(30_000);
      expect(await refusal(c.resend())).toMatchObject({
        type: 'RESEND_LIMIT_REACHED',
        details: { remainingResendAttempts: 0, resendAvailableAt: null },
      });
      // A resend re-delivers the same code and never moves the expiry.
      const state = await c.state();
      expect(state.expiresAt).toBe(c.created.expiresAt);
      expect((await c.verify(CODE)).status).toBe('VERIFIED');
    });
  });

  it('does not offer a resend whose cooldown would end after the expiry', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue, {
        policy: { ...policy, ttlSeconds: 60, resendCooldownSeconds: 45 },
      });
      await env.sleep(45_000);
      expect((await c.resend()).resendAvailableAt).toBeNull();
      expect(await refusal(c.resend())).toMatchObject({ type: 'OTP_EXPIRED' });
    });
  });

  it('writes no update or state events for rejected updates', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      const before = await c.historyLength();
      const wrongKey = randomBytes(32).toString('base64url');
      expect(await refusal(c.verify(CODE, wrongKey))).toEqual({ type: 'SECURITY_KEY_INVALID', details: {} });
      expect(await refusal(c.resend(wrongKey))).toMatchObject({ type: 'SECURITY_KEY_INVALID' });
      expect(await refusal(c.resend())).toMatchObject({ type: 'RESEND_TOO_SOON' });
      expect(
        await refusal(
          c.handle.executeUpdate(cancelUpdate, {
            args: [{ securityKeyDigest: securityKeyDigest(SERVER_KEY, wrongKey) }],
          }),
        ),
      ).toMatchObject({ type: 'SECURITY_KEY_INVALID' });
      expect(await c.historyLength()).toBe(before);
      // An accepted wrong code does write history: the attempt is counted durably.
      await refusal(c.verify('111111'));
      expect(await c.historyLength()).toBeGreaterThan(before);
    });
  });

  it('can be consumed exactly once, by the purpose, user and destination it was made for', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      const binding: ConsumeArgs = {
        purpose: 'UPDATE_PHONE',
        userId: 'IBU00000001',
        phoneDigest: destinationDigest(SERVER_KEY, PHONE),
        consumerProcessId: 'phone-IBU00000001-1',
      };
      const consume = (args: ConsumeArgs) => c.handle.executeUpdate(consumeUpdate, { args: [args] });
      expect(await refusal(consume(binding))).toMatchObject({ type: 'CHALLENGE_NOT_VERIFIED' });
      await c.verify(CODE);
      expect(await refusal(c.verify(CODE))).toMatchObject({ type: 'ALREADY_VERIFIED' });
      for (const other of [
        { purpose: 'LOGIN' as const },
        { userId: 'IBU00000002' },
        { phoneDigest: destinationDigest(SERVER_KEY, '+254700999999') },
      ]) {
        expect(await refusal(consume({ ...binding, ...other }))).toMatchObject({
          type: 'CHALLENGE_MISMATCH',
        });
      }
      expect(await consume(binding)).toMatchObject({ consumed: true, serviceKey: c.serviceKey });
      // The run ends CONSUMED; it stays queryable, and a second use is refused.
      const result = (await c.handle.result()) as MfaState;
      expect(result).toMatchObject({ status: 'CONSUMED', consumedBy: 'phone-IBU00000001-1' });
      expect((await c.state()).status).toBe('CONSUMED');
      await expect(consume(binding)).rejects.toThrow();
    });
  });

  it('refuses a second consume while the run is still open', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue, { purpose: 'LOGIN', phone: undefined });
      await c.verify(CODE);
      const args = { purpose: 'LOGIN' as const, userId: 'IBU00000001', consumerProcessId: 'login-1' };
      const [first, second] = await Promise.allSettled([
        c.handle.executeUpdate(consumeUpdate, { args: [args] }),
        c.handle.executeUpdate(consumeUpdate, { args: [{ ...args, consumerProcessId: 'login-2' }] }),
      ]);
      const outcomes = [first, second].map((o) => o.status);
      expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    });
  });

  it('ends VERIFIED when nobody consumes it within the consume window', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      await c.verify(CODE);
      const result = (await c.handle.result()) as MfaState;
      expect(result).toMatchObject({ status: 'VERIFIED', consumedAt: null });
    });
  });

  it('cancels: later calls are refused CHALLENGE_CANCELLED', async () => {
    await withWorker(env, fakeActivities().activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      const cancelled = await c.handle.executeUpdate(cancelUpdate, {
        args: [{ securityKeyDigest: securityKeyDigest(SERVER_KEY, c.securityKey) }],
      });
      expect(cancelled).toMatchObject({ status: 'CANCELLED', resendAvailableAt: null });
      expect(await refusal(c.verify(CODE))).toMatchObject({ type: 'CHALLENGE_CANCELLED' });
      expect(((await c.handle.result()) as MfaState).status).toBe('CANCELLED');
    });
  });

  it('sends nothing and fails DESTINATION_RATE_LIMITED when the quota refuses', async () => {
    const fake = fakeActivities({
      reserveDestinationSend: async () => {
        throw ApplicationFailure.create({
          type: 'DESTINATION_RATE_LIMITED',
          message: 'over quota',
          nonRetryable: true,
          details: [{ limit: 'WINDOW', retryAfterSeconds: 420 }],
        });
      },
    });
    await withWorker(env, fake.activities, async (taskQueue) => {
      const c = await create(taskQueue);
      expect('error' in c).toBe(true);
      if (!('error' in c)) return;
      expect(await refusal(Promise.reject(c.error))).toMatchObject({
        type: 'DESTINATION_RATE_LIMITED',
        details: { retryAfterSeconds: 420, status: 'FAILED' },
      });
      expect(fake.names()).not.toContain('sendChallengeCode');
      const err = await c.handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'DESTINATION_RATE_LIMITED' });
      expect((await c.handle.query(mfaStateQuery)).status).toBe('FAILED');
    });
  });

  it('refuses resends that the destination quota refuses, without spending the budget', async () => {
    let reservations = 0;
    const fake = fakeActivities({
      reserveDestinationSend: async () => {
        if (++reservations > 1) {
          throw ApplicationFailure.create({
            type: 'DESTINATION_RATE_LIMITED',
            message: 'over quota',
            nonRetryable: true,
            details: [{ retryAfterSeconds: 60 }],
          });
        }
        return { reserved: 1 };
      },
    });
    await withWorker(env, fake.activities, async (taskQueue) => {
      const c = await challenge(taskQueue);
      await env.sleep(30_000);
      expect(await refusal(c.resend())).toMatchObject({
        type: 'DESTINATION_RATE_LIMITED',
        details: { retryAfterSeconds: 60, remainingResendAttempts: 3 },
      });
      expect(fake.names()).not.toContain('resendChallengeCode');
    });
  });
});

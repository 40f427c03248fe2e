import { randomBytes, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MfaChallengeActivities, SentCode } from '../../activities/mfa-proof-types';
import { createMfaUserLockActivities } from '../../activities/mfa-user-lock';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import {
  awaitInitialDeliveryUpdate,
  verifyUpdate,
  type MfaChallengeInput,
  type MfaPolicy,
  type MfaState,
} from '../../messages/mfa';
import {
  recordFailureUpdate,
  preloginLockKey,
  userLockWorkflowId,
  userOtpLockQuery,
  type UserOtpLockPolicy,
} from '../../messages/mfa-user-lock';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';
const CODE = '042917';
const WRONG = '042918';
const MINUTE = 60_000;
const lockPolicy: UserOtpLockPolicy = { maxConsecutiveFailures: 3, lockMinutes: 30 };
const policy: MfaPolicy = {
  codeLength: 6,
  ttlSeconds: 300,
  maxVerifyAttempts: 5,
  maxResends: 3,
  resendCooldownSeconds: 30,
  consumeWindowSeconds: 900,
};

let userSeq = 0;
/** A fresh user per test, so lock entities never carry over between tests. */
const newUser = () => `IBU${process.pid}${String(++userSeq).padStart(4, '0')}`;

async function refusal(p: Promise<unknown>): Promise<{ type: string; details: Record<string, unknown> }> {
  const err = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: cause.type ?? '', details: (cause.details?.[0] ?? {}) as Record<string, unknown> };
}

/**
 * MfaChallenge with the real per-user lock (MfaUserOtpLock entity and its activities)
 * and doubles for delivery: wrong codes count across a user's challenges.
 */
describe('per-user OTP lockout (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // Open runs would fire timers during later tests' time skips with no worker polling.
  const openIds: string[] = [];
  afterEach(async () => {
    await Promise.all(
      openIds.splice(0).map((id) =>
        env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  });

  const sends: string[] = [];
  /** Delivery doubles and the real lock activities, which start entities on the worker's queue. */
  function activities(queue: { name: string }) {
    const delivery: MfaChallengeActivities = {
      resolveChallengeDestinations: async () => ({
        phone: [
          { masked: '+254••••••001', referenceId: 'ref-1', digest: destinationDigest(SERVER_KEY, PHONE) },
        ],
        email: [],
        sealed: 'sealed-destinations',
      }),
      reserveDestinationSend: async ({ destinationDigests }) => ({ reserved: destinationDigests.length }),
      sendChallengeCode: async ({ serviceKey }): Promise<SentCode> => {
        sends.push(serviceKey);
        return {
          codeDigest: otpDigest(SERVER_KEY, serviceKey, CODE),
          sealedCode: 'sealed-code',
          deliveries: [{ channel: 'SMS', referenceId: 'ref-1', provider: 'outbox' }],
        };
      },
      resendChallengeCode: async () => ({ deliveries: [] }),
      sendChallengeLeg: (input) => delivery.sendChallengeCode(input),
    };
    return {
      ...delivery,
      ...createMfaUserLockActivities({
        temporal: {
          client: env.client,
          get taskQueue() {
            return queue.name;
          },
        },
        userOtpLock: lockPolicy,
      }),
    };
  }

  /** Starts a challenge as the API does; resolves to its verify, or rejects with the create refusal. */
  async function challenge(taskQueue: string, over: Partial<MfaChallengeInput>) {
    const serviceKey = randomUUID();
    const securityKey = randomBytes(32).toString('base64url');
    const workflowId = `mfa-${serviceKey}`;
    openIds.push(workflowId);
    const created: MfaState = await env.client.workflow.executeUpdateWithStart(awaitInitialDeliveryUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation('MfaChallenge', {
        taskQueue,
        workflowId,
        args: [
          {
            serviceKey,
            purpose: 'LOGIN',
            securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
            policy,
            ...over,
          } satisfies MfaChallengeInput,
        ],
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    const handle: WorkflowHandle = env.client.workflow.getHandle(workflowId);
    return {
      serviceKey,
      created,
      verify: (otp: string) =>
        handle.executeUpdate(verifyUpdate, {
          args: [
            {
              securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
              otpDigest: otpDigest(SERVER_KEY, serviceKey, otp),
            },
          ],
        }),
    };
  }

  /** A worker on a fresh queue with the activities above bound to it. */
  function run(fn: (taskQueue: string) => Promise<void>) {
    const queue = { name: '' };
    return withWorker(env, activities(queue), (taskQueue) => {
      queue.name = taskQueue;
      return fn(taskQueue);
    });
  }

  const lockOf = (userId: string) =>
    env.client.workflow.getHandle(userLockWorkflowId(userId)).query(userOtpLockQuery);

  it('locks the user after N wrong codes across two challenges: verify and create refused, nothing sent', async () => {
    const userId = newUser();
    openIds.push(userLockWorkflowId(userId));
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, { userId });
      const b = await challenge(taskQueue, { userId });
      expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await lockOf(userId)).toEqual({ consecutiveFailures: 2, lockedUntil: null });

      // The third wrong code in a row, on another challenge, locks the user and says so.
      const third = await refusal(b.verify(WRONG));
      expect(third).toMatchObject({
        type: 'USER_OTP_LOCKED',
        details: { status: 'PENDING', remainingVerifyAttempts: 4, retryAfterSeconds: 1800 },
      });
      expect(Date.parse(third.details.lockedUntil as string) - Date.now()).toBeGreaterThan(0);

      // While locked, right and wrong codes get the same answer and cost the challenge nothing.
      for (const c of [a, b]) {
        for (const otp of [CODE, WRONG]) {
          expect(await refusal(c.verify(otp))).toMatchObject({
            type: 'USER_OTP_LOCKED',
            details: { status: 'PENDING', retryAfterSeconds: expect.any(Number) },
          });
        }
      }
      expect(await lockOf(userId)).toMatchObject({ consecutiveFailures: 3 });

      // A new challenge of the locked user is refused before anything is sent.
      const sentBefore = sends.length;
      const refused = await refusal(challenge(taskQueue, { userId }));
      expect(refused).toMatchObject({
        type: 'USER_OTP_LOCKED',
        details: { status: 'FAILED', retryAfterSeconds: expect.any(Number) },
      });
      expect(refused.details.retryAfterSeconds as number).toBeGreaterThan(1700);
      expect(sends.length).toBe(sentBefore);

      // Another user, and a pre-login code to a typed phone (no user), are not affected.
      const other = await challenge(taskQueue, { userId: newUser() });
      expect(await other.verify(CODE)).toMatchObject({ status: 'VERIFIED' });
      const prelogin = await challenge(taskQueue, { purpose: 'ONBOARDING', phone: PHONE });
      for (let i = 0; i < 3; i++)
        expect(await refusal(prelogin.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
    });
  });

  it("counts a concealed challenge's wrong codes on the user's pre-login lock, never on its own", async () => {
    const userId = newUser();
    openIds.push(userLockWorkflowId(userId), userLockWorkflowId(preloginLockKey(userId)));
    const concealed = { purpose: 'ONBOARDING', userId, conceal: true } as const;
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, concealed);
      // Concealed: the lock tripping answers as a wrong code does.
      for (let i = 0; i < 3; i++)
        expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await lockOf(preloginLockKey(userId))).toMatchObject({ consecutiveFailures: 3 });
      // The user's own lock was never started: its LOGIN code goes out and verifies.
      await expect(lockOf(userId)).rejects.toThrow(/not found/i);
      const own = await challenge(taskQueue, { userId });
      expect(await own.verify(CODE)).toMatchObject({ status: 'VERIFIED' });
      // The pre-login lock holds for concealed challenges: a decoy, nothing sent.
      const sentBefore = sends.length;
      const b = await challenge(taskQueue, concealed);
      expect(b.created.status).toBe('PENDING');
      expect(sends.length).toBe(sentBefore);
    });
  });

  it("keeps each pre-login caller's wrong codes on its own lock of the user, apart from other callers'", async () => {
    const userId = newUser();
    const [attacker, app] = ['a'.repeat(32), 'b'.repeat(32)];
    openIds.push(userLockWorkflowId(preloginLockKey(userId, attacker)));
    const concealed = (callerDigest: string) =>
      ({ purpose: 'ONBOARDING', userId, conceal: true, callerDigest }) as const;
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, concealed(attacker));
      for (let i = 0; i < 3; i++)
        expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await lockOf(preloginLockKey(userId, attacker))).toMatchObject({ consecutiveFailures: 3 });
      // Neither the user's own lock nor a user-wide pre-login lock was started.
      await expect(lockOf(userId)).rejects.toThrow(/not found/i);
      await expect(lockOf(preloginLockKey(userId))).rejects.toThrow(/not found/i);
      // Another caller (the user's own app elsewhere) gets its code and verifies it.
      const sentBefore = sends.length;
      const b = await challenge(taskQueue, concealed(app));
      expect(sends.length).toBe(sentBefore + 1);
      expect(await b.verify(CODE)).toMatchObject({ status: 'VERIFIED' });
      // The attacker stays locked: its next challenge is a decoy, nothing sent.
      const c = await challenge(taskQueue, concealed(attacker));
      expect(c.created.status).toBe('PENDING');
      expect(sends.length).toBe(sentBefore + 1);
    });
  });

  it("gives no code through a concealed challenge while the user's own lock holds", async () => {
    const userId = newUser();
    openIds.push(userLockWorkflowId(userId));
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, { userId });
      for (let i = 0; i < 2; i++) await refusal(a.verify(WRONG));
      expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'USER_OTP_LOCKED' });
      const sentBefore = sends.length;
      const b = await challenge(taskQueue, { purpose: 'ONBOARDING', userId, conceal: true });
      expect(b.created.status).toBe('PENDING');
      expect(sends.length).toBe(sentBefore);
    });
  });

  it('lifts the lock when the minutes have passed: a durable timer in the entity, then a fresh count', async () => {
    const userId = newUser();
    const entity = env.client.workflow.getHandle(userLockWorkflowId(userId));
    openIds.push(entity.workflowId);
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, { userId });
      for (let i = 0; i < 2; i++) await refusal(a.verify(WRONG));
      expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'USER_OTP_LOCKED' });

      await env.sleep(29 * MINUTE);
      const late = await refusal(challenge(taskQueue, { userId }));
      expect(late).toMatchObject({ type: 'USER_OTP_LOCKED' });
      expect(late.details.retryAfterSeconds as number).toBeLessThanOrEqual(60);

      await env.sleep(MINUTE);
      // The entity's timer ended the lock and, nothing being left to remember, the run.
      expect((await entity.describe()).status.name).toBe('COMPLETED');
      const b = await challenge(taskQueue, { userId });
      expect(b.created.status).toBe('PENDING');
      // The count started again: two wrong codes do not lock, the right one verifies.
      for (let i = 0; i < 2; i++)
        expect(await refusal(b.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await b.verify(CODE)).toMatchObject({ status: 'VERIFIED' });
    });
  });

  it("resets the count on a right code, on any of the user's challenges", async () => {
    const userId = newUser();
    openIds.push(userLockWorkflowId(userId));
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, { userId });
      const b = await challenge(taskQueue, { userId });
      for (let i = 0; i < 2; i++) await refusal(a.verify(WRONG));
      expect(await b.verify(CODE)).toMatchObject({ status: 'VERIFIED' });
      expect(await lockOf(userId)).toEqual({ consecutiveFailures: 0, lockedUntil: null });

      const c = await challenge(taskQueue, { userId });
      expect(await refusal(c.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await refusal(a.verify(WRONG))).toMatchObject({ type: 'OTP_INVALID' });
      expect(await refusal(c.verify(WRONG))).toMatchObject({ type: 'USER_OTP_LOCKED' });
    });
  });

  it('counts concurrent wrong codes of one challenge each once, in order', async () => {
    const userId = newUser();
    openIds.push(userLockWorkflowId(userId));
    await run(async (taskQueue) => {
      const a = await challenge(taskQueue, { userId });
      const answers = await Promise.all([0, 1, 2, 3].map(() => refusal(a.verify(WRONG))));
      // Serialized: two OTP_INVALID, the third locks, the fourth finds the user locked.
      expect(answers.map((r) => r.type).sort()).toEqual([
        'OTP_INVALID',
        'OTP_INVALID',
        'USER_OTP_LOCKED',
        'USER_OTP_LOCKED',
      ]);
      expect(await lockOf(userId)).toMatchObject({ consecutiveFailures: 3 });
      expect(await refusal(a.verify(CODE))).toMatchObject({ type: 'USER_OTP_LOCKED' });
    });
  });

  it('keeps the count and the refs of retried records across continue-as-new', async () => {
    const userId = newUser();
    const workflowId = userLockWorkflowId(userId);
    openIds.push(workflowId);
    await run(async (taskQueue) => {
      const record = (ref: string) =>
        env.client.workflow.executeUpdateWithStart(recordFailureUpdate, {
          args: [{ ref, policy: { maxConsecutiveFailures: 100, lockMinutes: 30 } }],
          startWorkflowOperation: new WithStartWorkflowOperation('MfaUserOtpLock', {
            workflowId,
            taskQueue,
            args: [{ continueAsNewAfterEvents: 10 }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      const handle = env.client.workflow.getHandle(workflowId);
      expect(await record('r1')).toMatchObject({ consecutiveFailures: 1 });
      const firstRun = (await handle.describe()).runId;
      for (let i = 2; i <= 8; i++) expect(await record(`r${i}`)).toMatchObject({ consecutiveFailures: i });
      // The history passed its limit: the run continued as new, with the count.
      expect((await handle.describe()).runId).not.toBe(firstRun);
      // A record retried after continue-as-new is answered, not counted again.
      expect(await record('r8')).toMatchObject({ consecutiveFailures: 8 });
      expect(await handle.query(userOtpLockQuery)).toEqual({ consecutiveFailures: 8, lockedUntil: null });
    });
  });
});

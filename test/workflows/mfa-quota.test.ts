import { randomBytes, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createQuotaActivities, type QuotaDeps } from '../../activities/quotas';
import type { MfaChallengeActivities } from '../../activities/mfa-proof-types';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import { awaitInitialDeliveryUpdate, type MfaChallengeInput } from '../../messages/mfa';
import {
  quotaStateQuery,
  quotaWorkflowId,
  reserveSendUpdate,
  type DestinationQuotaPolicy,
} from '../../messages/mfa-quota';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const SERVER_KEY = randomBytes(32);
const defaults: DestinationQuotaPolicy = { maxPerWindow: 5, windowMinutes: 10, maxPerDay: 50 };
const MINUTE = 60_000;

/** A fresh destination per test, so quota entities never carry over between tests. */
let phoneSeq = 0;
const newPhone = () =>
  `+2547${String(Date.now() % 1e6).padStart(6, '0')}${String(++phoneSeq).padStart(2, '0')}`;

describe('MfaDestinationQuota workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // Runs left open would fire timers during later tests' time skips with no worker polling.
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

  /** The real reserveDestinationSend activity, on this test's task queue. */
  function reserver(taskQueue: string, policy: DestinationQuotaPolicy = defaults) {
    const deps = {
      serverKey: SERVER_KEY,
      temporal: { client: env.client, taskQueue },
      destinationQuota: policy,
    } as unknown as QuotaDeps;
    return createQuotaActivities(deps).reserveDestinationSend;
  }

  async function refused(p: Promise<unknown>) {
    const err = await p.then(
      () => {
        throw new Error('expected DESTINATION_RATE_LIMITED');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('DESTINATION_RATE_LIMITED');
    expect(failure.nonRetryable).toBe(true);
    return failure.details?.[0] as { limit: string; retryAfterSeconds: number; sendsInWindow: number };
  }

  const quota = (digest: string) => env.client.workflow.getHandle(quotaWorkflowId(digest));

  it('refuses the 6th send within 10 minutes and allows it again once the window has passed', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    openIds.push(quotaWorkflowId(digest));
    await withWorker(env, {}, async (taskQueue) => {
      const reserve = reserver(taskQueue);
      for (let i = 0; i < 5; i++) {
        await reserve({ ref: `c${i}.send-0`, destinationDigests: [digest] });
        await env.sleep(MINUTE);
      }
      // Five sends at minutes 0–4; now is minute 5: the first leaves the window at minute 10.
      const details = await refused(reserve({ ref: 'c5.send-0', destinationDigests: [digest] }));
      expect(details).toMatchObject({ limit: 'WINDOW', sendsInWindow: 5 });
      expect(details.retryAfterSeconds).toBeGreaterThan(290);
      expect(details.retryAfterSeconds).toBeLessThanOrEqual(300);
      await env.sleep(details.retryAfterSeconds * 1000 - 5_000);
      await refused(reserve({ ref: 'c5.send-0', destinationDigests: [digest] }));
      await env.sleep(5_000);
      await expect(reserve({ ref: 'c5.send-0', destinationDigests: [digest] })).resolves.toEqual({
        reserved: 1,
        overQuota: [],
        at: expect.any(String),
      });
      expect(await quota(digest).query(quotaStateQuery)).toMatchObject({ sendsInLastDay: 6 });
    });
  });

  it('counts a retried reservation once', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    openIds.push(quotaWorkflowId(digest));
    await withWorker(env, {}, async (taskQueue) => {
      const reserve = reserver(taskQueue, { ...defaults, maxPerWindow: 2 });
      await reserve({ ref: 'a.send-0', destinationDigests: [digest] });
      await reserve({ ref: 'a.send-0', destinationDigests: [digest] });
      await reserve({ ref: 'b.send-0', destinationDigests: [digest] });
      await refused(reserve({ ref: 'c.send-0', destinationDigests: [digest] }));
      expect(await quota(digest).query(quotaStateQuery)).toMatchObject({ sendsInLastDay: 2 });
    });
  });

  it('applies the daily cap across windows', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    openIds.push(quotaWorkflowId(digest));
    await withWorker(env, {}, async (taskQueue) => {
      const reserve = reserver(taskQueue, { maxPerWindow: 5, windowMinutes: 10, maxPerDay: 7 });
      for (let i = 0; i < 5; i++) await reserve({ ref: `d${i}`, destinationDigests: [digest] });
      await env.sleep(10 * MINUTE);
      await reserve({ ref: 'd5', destinationDigests: [digest] });
      await reserve({ ref: 'd6', destinationDigests: [digest] });
      const details = await refused(reserve({ ref: 'd7', destinationDigests: [digest] }));
      // The window has room (2 of 5); the day does not (7 of 7) until the first sends are 24 h old.
      expect(details).toMatchObject({ limit: 'DAY', sendsInWindow: 2 });
      expect(details.retryAfterSeconds).toBeGreaterThan(24 * 3600 - 10 * 60 - 60);
      expect(details.retryAfterSeconds).toBeLessThanOrEqual(24 * 3600 - 10 * 60);
      await env.sleep(details.retryAfterSeconds * 1000);
      await expect(reserve({ ref: 'd7', destinationDigests: [digest] })).resolves.toEqual({
        reserved: 1,
        overQuota: [],
        at: expect.any(String),
      });
    });
  });

  it('says on the send that fills it how long the next is refused', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    const workflowId = quotaWorkflowId(digest);
    openIds.push(workflowId);
    const policy = { ...defaults, maxPerWindow: 2 };
    await withWorker(env, {}, async (taskQueue) => {
      const reserveWith = (ref: string) =>
        env.client.workflow.executeUpdateWithStart(reserveSendUpdate, {
          args: [{ ref, policy }],
          updateId: ref,
          startWorkflowOperation: new WithStartWorkflowOperation('MfaDestinationQuota', {
            workflowId,
            taskQueue,
            args: [{ sends: [] }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      expect((await reserveWith('g0')).fullForSeconds).toBeUndefined();
      await env.sleep(MINUTE);
      const filling = await reserveWith('g1');
      // Full until the first send (a minute old) leaves the 10-minute window.
      expect(filling).toMatchObject({ reserved: true, sendsInWindow: 2 });
      expect(filling.fullForSeconds).toBeGreaterThan(8 * 60);
      expect(filling.fullForSeconds).toBeLessThanOrEqual(9 * 60);
      const rejected = await reserveWith('g2').catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
      const details = await refused(Promise.reject((rejected as WorkflowUpdateFailedError).cause));
      expect(details.retryAfterSeconds).toBeLessThanOrEqual(filling.fullForSeconds as number);
      expect(details.retryAfterSeconds).toBeGreaterThan((filling.fullForSeconds as number) - 60);
    });
  });

  it('writes nothing for a refused reservation (validator)', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    openIds.push(quotaWorkflowId(digest));
    await withWorker(env, {}, async (taskQueue) => {
      const reserve = reserver(taskQueue, { ...defaults, maxPerWindow: 1 });
      await reserve({ ref: 'e0', destinationDigests: [digest] });
      const updates = async () =>
        ((await quota(digest).fetchHistory()).events ?? []).filter(
          (e) =>
            e.workflowExecutionUpdateAcceptedEventAttributes ||
            e.workflowExecutionUpdateCompletedEventAttributes,
        ).length;
      const before = await updates();
      await refused(reserve({ ref: 'e1', destinationDigests: [digest] }));
      await refused(reserve({ ref: 'e2', destinationDigests: [digest] }));
      expect(await updates()).toBe(before);
    });
  });

  it('continues as new when its history grows, keeping the sends', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    const workflowId = quotaWorkflowId(digest);
    openIds.push(workflowId);
    await withWorker(env, {}, async (taskQueue) => {
      const policy = { maxPerWindow: 100, windowMinutes: 10, maxPerDay: 100 };
      const reserveWith = (ref: string) =>
        env.client.workflow.executeUpdateWithStart(reserveSendUpdate, {
          args: [{ ref, policy }],
          startWorkflowOperation: new WithStartWorkflowOperation('MfaDestinationQuota', {
            workflowId,
            taskQueue,
            args: [{ sends: [], continueAsNewAfterEvents: 20 }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      await reserveWith('f0');
      const firstRun = (await quota(digest).describe()).runId;
      for (let i = 1; i < 12; i++) await reserveWith(`f${i}`);
      expect((await quota(digest).describe()).runId).not.toBe(firstRun);
      expect(await quota(digest).query(quotaStateQuery)).toMatchObject({ sendsInLastDay: 12 });
      // The same limits hold across runs.
      const limited = { maxPerWindow: 12, windowMinutes: 10, maxPerDay: 100 };
      const err = await env.client.workflow
        .getHandle(workflowId)
        .executeUpdate(reserveSendUpdate, { args: [{ ref: 'f12', policy: limited }] })
        .catch((e: unknown) => e);
      expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'DESTINATION_RATE_LIMITED' });
    });
  });

  it('a run started on another queue (before the entity queue) continues as new on the queue its reservations name', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    const workflowId = quotaWorkflowId(digest);
    openIds.push(workflowId);
    await withWorker(env, {}, (oldQueue) =>
      withWorker(env, {}, async (entityQueue) => {
        const policy = { maxPerWindow: 100, windowMinutes: 10, maxPerDay: 100 };
        const reserveWith = (ref: string) =>
          env.client.workflow.executeUpdateWithStart(reserveSendUpdate, {
            args: [{ ref, policy, taskQueue: entityQueue }],
            startWorkflowOperation: new WithStartWorkflowOperation('MfaDestinationQuota', {
              workflowId,
              taskQueue: oldQueue,
              args: [{ sends: [], continueAsNewAfterEvents: 20 }],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          });
        await reserveWith('q0');
        expect((await quota(digest).describe()).taskQueue).toBe(oldQueue);
        for (let i = 1; i < 12; i++) await reserveWith(`q${i}`);
        const moved = await quota(digest).describe();
        expect(moved.taskQueue).toBe(entityQueue);
        expect(await quota(digest).query(quotaStateQuery)).toMatchObject({ sendsInLastDay: 12 });
      }),
    );
  });

  it('completes after a day without sends', async () => {
    const digest = destinationDigest(SERVER_KEY, newPhone());
    openIds.push(quotaWorkflowId(digest));
    await withWorker(env, {}, async (taskQueue) => {
      await reserver(taskQueue)({ ref: 'g0', destinationDigests: [digest] });
      const handle = quota(digest);
      await env.sleep(24 * 3_600_000 + MINUTE);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(await handle.result()).toMatchObject({ sendsInLastDay: 0 });
    });
  });

  it('limits sends to one destination across challenges: the 6th challenge sends nothing', async () => {
    const phone = newPhone();
    const digest = destinationDigest(SERVER_KEY, phone);
    openIds.push(quotaWorkflowId(digest));
    const sent: string[] = [];
    let taskQueueNow = '';
    const activities: MfaChallengeActivities = {
      resolveChallengeDestinations: async () => ({
        phone: [{ masked: 'masked', referenceId: 'ref', digest }],
        email: [],
        sealed: 'sealed',
      }),
      // The real activity: update-with-start on the destination's quota workflow.
      reserveDestinationSend: (input) => reserver(taskQueueNow)(input),
      sendChallengeCode: async ({ serviceKey }) => {
        sent.push(serviceKey);
        return { codeDigest: otpDigest(SERVER_KEY, serviceKey, '123456'), sealedCode: 's', deliveries: [] };
      },
      resendChallengeCode: async () => ({ deliveries: [] }),
      sendChallengeLeg: (input) => activities.sendChallengeCode(input),
    };
    await withWorker(env, activities, async (taskQueue) => {
      taskQueueNow = taskQueue;
      const create = async () => {
        const serviceKey = randomUUID();
        openIds.push(`mfa-${serviceKey}`);
        const input: MfaChallengeInput = {
          serviceKey,
          purpose: 'ONBOARDING',
          phone,
          securityKeyDigest: securityKeyDigest(SERVER_KEY, 'k'),
          policy: {
            codeLength: 6,
            ttlSeconds: 300,
            maxVerifyAttempts: 5,
            maxResends: 3,
            resendCooldownSeconds: 30,
            consumeWindowSeconds: 900,
          },
        };
        return env.client.workflow
          .executeUpdateWithStart(awaitInitialDeliveryUpdate, {
            startWorkflowOperation: new WithStartWorkflowOperation('MfaChallenge', {
              workflowId: `mfa-${serviceKey}`,
              taskQueue,
              args: [input],
              workflowIdConflictPolicy: 'FAIL',
            }),
          })
          .then(
            () => 'SENT',
            (e: unknown) => ((e as WorkflowUpdateFailedError).cause as ApplicationFailure).type,
          );
      };
      const outcomes: (string | null | undefined)[] = [];
      for (let i = 0; i < 6; i++) outcomes.push(await create());
      expect(outcomes).toEqual(['SENT', 'SENT', 'SENT', 'SENT', 'SENT', 'DESTINATION_RATE_LIMITED']);
      expect(sent).toHaveLength(5);
      await env.sleep(10 * MINUTE);
      expect(await create()).toBe('SENT');
      expect(sent).toHaveLength(6);
    });
  });
});

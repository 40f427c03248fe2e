import { randomBytes, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MfaChallengeActivities, ResolvedDestinations } from '../../activities/mfa-proof-types';
import { TransientError } from '../../adapters/errors';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import { awaitInitialDeliveryUpdate, type MfaChallengeInput, type MfaState } from '../../messages/mfa';
import { createDevServerEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';
import { msToNumber, type Duration } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';
import * as activityOptions from '../../workflows/activity-options';
import { LOCAL_BUDGET, localOptions } from '../../workflows/local-first';
import { neverLockedUser } from '../helpers/mfa-doubles';

const { EventType } = temporal.api.enums.v1;
const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';

/** The MFA activities as doubles; each call is recorded with whether it ran local. */
function doubles(over: Partial<MfaChallengeActivities> = {}) {
  const calls: { name: string; local: boolean; input: unknown }[] = [];
  const destinations: ResolvedDestinations = {
    phone: [{ masked: '+254••••••001', referenceId: 'r1', digest: destinationDigest(SERVER_KEY, PHONE) }],
    email: [],
    sealed: 'sealed-destinations',
  };
  const base: Omit<MfaChallengeActivities, 'sendChallengeLeg'> = {
    resolveChallengeDestinations: async () => destinations,
    reserveDestinationSend: async ({ destinationDigests }) => ({ reserved: destinationDigests.length }),
    sendChallengeCode: async ({ serviceKey }) => ({
      codeDigest: otpDigest(SERVER_KEY, serviceKey, '123456'),
      sealedCode: 'sealed-code',
      deliveries: [{ channel: 'SMS', referenceId: 'r1', provider: 'outbox' }],
    }),
    resendChallengeCode: async () => ({ deliveries: [] }),
  };
  const merged = { ...base, ...over } as Record<string, (input: unknown) => Promise<unknown>>;
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      (input: unknown) => {
        calls.push({ name, local: Context.current().info.isLocal, input });
        return fn(input);
      },
    ]),
  );
  // One leg per destination: recorded as the send it stands for.
  activities.sendChallengeLeg = (input: unknown) =>
    (activities.sendChallengeCode as (i: unknown) => Promise<unknown>)(input);
  return { activities: { ...activities, ...neverLockedUser }, calls };
}

describe('local-first activities (workflows/local-first.ts), on MfaChallenge (dev server: local activities run on real time)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** Creates a pre-login challenge to PHONE and returns the first delivery's answer and the history. */
  async function create(activities: object) {
    return withWorker(env, activities, async (taskQueue) => {
      const serviceKey = randomUUID();
      const input: MfaChallengeInput = {
        serviceKey,
        purpose: 'ONBOARDING',
        phone: PHONE,
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
      const startWorkflowOperation = new WithStartWorkflowOperation('MfaChallenge', {
        taskQueue,
        workflowId: `mfa-${serviceKey}`,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
      });
      const answer: { state?: MfaState; error?: unknown } = await env.client.workflow
        .executeUpdateWithStart(awaitInitialDeliveryUpdate, { startWorkflowOperation })
        .then(
          (state: MfaState) => ({ state }),
          (error: unknown) => ({ error }),
        );
      const handle = await startWorkflowOperation.workflowHandle();
      const events = (await handle.fetchHistory()).events ?? [];
      await handle.terminate('test over').catch(() => undefined);
      const scheduled = events
        .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
      const markers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED).length;
      const workflowTasks = events.filter(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      ).length;
      return { ...answer, scheduled, markers, workflowTasks };
    });
  }

  it('looks up and reserves in the worker, and sends the code as a regular activity', async () => {
    const { activities, calls } = doubles();
    const run = await create(activities);
    expect(run.state?.status).toBe('PENDING');
    // The send is recorded as soon as it completes: a workflow task failing after it
    // (a crash, a codec error, a bug) cannot run it again, as it would a local one.
    expect(run.scheduled).toEqual(['sendChallengeLeg']);
    expect(calls.map((c) => [c.name, c.local])).toEqual([
      ['resolveChallengeDestinations', true],
      ['reserveDestinationSend', true],
      ['sendChallengeCode', false],
    ]);
    // Two local results plus the patch markers, in the task that scheduled the send.
    expect(run.markers).toBeGreaterThanOrEqual(2);
  });

  it('retries a failing call in the worker, then runs it as a regular activity past the local budget', async () => {
    const { activities, calls } = doubles({
      // Down for every local attempt; a regular attempt gets through.
      reserveDestinationSend: async ({ destinationDigests }) => {
        if (Context.current().info.isLocal) throw new TransientError('quota store down');
        return { reserved: destinationDigests.length };
      },
    });
    const run = await create(activities);
    expect(run.state?.status).toBe('PENDING');
    const reserves = calls.filter((c) => c.name === 'reserveDestinationSend');
    expect(reserves.filter((c) => c.local).length).toBe(LOCAL_BUDGET.maximumAttempts);
    expect(reserves.at(-1)?.local).toBe(false);
    expect(run.scheduled).toEqual(['reserveDestinationSend', 'sendChallengeLeg']);
  }, 60_000);

  it('never retries a business refusal as a regular activity', async () => {
    const { activities, calls } = doubles({
      reserveDestinationSend: async () => {
        throw ApplicationFailure.create({
          type: 'DESTINATION_RATE_LIMITED',
          message: 'too many codes to this number',
          nonRetryable: true,
          details: [{ retryAfterSeconds: 60 }],
        });
      },
    });
    const run = await create(activities);
    expect(run.error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((run.error as WorkflowUpdateFailedError).cause).toMatchObject({
      type: 'DESTINATION_RATE_LIMITED',
    });
    expect(calls.filter((c) => c.name === 'reserveDestinationSend')).toHaveLength(1);
    expect(run.scheduled).toEqual([]);
    expect(calls.some((c) => c.name === 'sendChallengeCode')).toBe(false);
  });

  it('never sends locally: a send that fails is retried as the regular activity it is', async () => {
    let down = true;
    const { activities, calls } = doubles({
      sendChallengeCode: async () => {
        if (down) {
          down = false;
          throw new TransientError('gateway down');
        }
        return {
          codeDigest: 'd',
          sealedCode: 's',
          deliveries: [{ channel: 'SMS', referenceId: 'r1', provider: 'outbox' }],
        };
      },
    });
    const run = await create(activities);
    expect(run.state?.status).toBe('PENDING');
    expect(calls.filter((c) => c.name === 'sendChallengeCode').map((c) => c.local)).toEqual([false, false]);
    expect(run.scheduled).toEqual(['sendChallengeLeg']);
  });
});

describe('local attempt limits (workflows/local-first.ts localOptions)', () => {
  it("gives each local attempt the regular attempt's limit, never less, so it outlives the adapter's calls", () => {
    for (const options of Object.values(activityOptions).filter(
      (o): o is ActivityOptions => typeof o === 'object' && o !== null && 'startToCloseTimeout' in o,
    )) {
      const local = localOptions(options);
      expect(msToNumber(local.startToCloseTimeout as Duration)).toBe(
        msToNumber(options.startToCloseTimeout as Duration),
      );
    }
    // The budget of a code's send (1 min) exceeds the SMS adapters' 10 s and SMTP's 2 × 10 s.
    expect(msToNumber(localOptions(activityOptions.deliveryOptions).startToCloseTimeout as Duration)).toBe(
      60_000,
    );
  });
});

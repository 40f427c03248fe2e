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
import type { WorkflowHandle } from '@temporalio/client';
import { resendUpdate } from '../../messages/mfa';
import { processStateQuery, type AuditEntry } from '../../messages/process';
import type { EligibilityFacts } from '../../activities/types';

const { EventType } = temporal.api.enums.v1;
const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';

const eligible: EligibilityFacts = {
  found: true,
  customerStatus: 'ACTIVE',
  activeProducts: 1,
  hasRegisteredMobile: true,
  phoneMatchesRegistered: null,
  liveIbUserId: null,
  registeredMobileMasked: '+254••••••001',
};

/** The look-up's answer, as doubles() gives it. */
const resolveDestinations = async (): Promise<ResolvedDestinations> => ({
  phone: [{ masked: '+254••••••001', referenceId: 'r1', digest: destinationDigest(SERVER_KEY, PHONE) }],
  email: [],
  sealed: 'sealed-destinations',
});

/** A history event's time, in ms. */
const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
const durationMs = eventMs;

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

  /** A pre-login ONBOARDING challenge to PHONE, started with its first Update. */
  function challengeStart(taskQueue: string, resendCooldownSeconds: number) {
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
        resendCooldownSeconds,
        consumeWindowSeconds: 900,
      },
    };
    const startWorkflowOperation = new WithStartWorkflowOperation('MfaChallenge', {
      taskQueue,
      workflowId: `mfa-${serviceKey}`,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    return { serviceKey, startWorkflowOperation };
  }

  /** Creates a pre-login challenge to PHONE and returns the first delivery's answer and the history. */
  async function create(activities: object) {
    return withWorker(env, activities, async (taskQueue) => {
      const { startWorkflowOperation } = challengeStart(taskQueue, 30);
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
  /**
   * A challenge as `create` makes it (resend cooldown 1 s), with `during` run on it before
   * it ends; answers its trail and the history.
   */
  async function challenge<T>(
    activities: object,
    during: (handle: WorkflowHandle, first: MfaState) => Promise<T>,
  ): Promise<{
    first: MfaState;
    trail: AuditEntry[];
    events: temporal.api.history.v1.IHistoryEvent[];
    out: T;
  }> {
    return withWorker(env, activities, async (taskQueue) => {
      const { startWorkflowOperation } = challengeStart(taskQueue, 1);
      const first = await env.client.workflow.executeUpdateWithStart(awaitInitialDeliveryUpdate, {
        startWorkflowOperation,
      });
      const handle = await startWorkflowOperation.workflowHandle();
      const out = await during(handle, first);
      const trail = (await handle.query(processStateQuery)).auditTrail;
      const events = (await handle.fetchHistory()).events ?? [];
      await handle.terminate('test over').catch(() => undefined);
      return { first, trail, events, out };
    });
  }

  /**
   * Waits `ms` of real time, then answers the result with when it was done
   * (activities/done-at.ts); its first `failing` local attempts fail after their wait.
   */
  const slow = <I, R extends object>(ms: number, fn: (input: I) => Promise<R>, failing = 0) => {
    let attempts = 0;
    return async (input: I) => {
      await new Promise((r) => setTimeout(r, ms));
      if (Context.current().info.isLocal && ++attempts <= failing)
        throw new TransientError('slow, then down');
      return { ...(await fn(input)), at: new Date().toISOString() };
    };
  };
  const atOf = (trail: AuditEntry[], step: string, status = 'COMPLETED') =>
    Date.parse(trail.find((e) => e.step === step && e.status === status)?.at ?? 'missing');

  it("dates the trail's local steps when they were done, not when their workflow task started", async () => {
    const { activities } = doubles({
      // Each slow, and through once retried: 2 × 750 ms at least.
      resolveChallengeDestinations: slow(750, resolveDestinations, 1),
      reserveDestinationSend: slow(
        750,
        async ({ destinationDigests }) => ({ reserved: destinationDigests.length }),
        1,
      ),
    });
    const run = await challenge(activities, async () => undefined);
    // Both ran local, in the task that started the run, whose clock moves on by a local
    // call's last attempt only (not the failed attempts and their backoff before it).
    expect(atOf(run.trail, 'RESOLVE_DESTINATIONS')).toBeGreaterThanOrEqual(atOf(run.trail, 'CREATE') + 1500);
    expect(atOf(run.trail, 'RESERVE_DESTINATION_QUOTA', 'STARTED')).toBe(
      atOf(run.trail, 'RESOLVE_DESTINATIONS'),
    );
    expect(atOf(run.trail, 'RESERVE_DESTINATION_QUOTA')).toBeGreaterThanOrEqual(
      atOf(run.trail, 'RESOLVE_DESTINATIONS') + 1500,
    );
  }, 60_000);

  it('starts the resend clock when the provider took the code, first send and resend alike', async () => {
    const sentAt: number[] = [];
    const { activities } = doubles({
      resolveChallengeDestinations: slow(1500, resolveDestinations),
      sendChallengeCode: async ({ serviceKey }) => {
        await new Promise((r) => setTimeout(r, 1000));
        sentAt.push(Date.now());
        return {
          codeDigest: otpDigest(SERVER_KEY, serviceKey, '123456'),
          sealedCode: 'sealed-code',
          deliveries: [{ channel: 'SMS', referenceId: 'r1', provider: 'outbox' }],
        };
      },
      // The reservation is local and slow, the resend's delivery regular and slow.
      reserveDestinationSend: slow(1000, async ({ destinationDigests }) => ({
        reserved: destinationDigests.length,
      })),
      resendChallengeCode: async () => {
        await new Promise((r) => setTimeout(r, 1000));
        sentAt.push(Date.now());
        return { deliveries: [{ channel: 'SMS', referenceId: 'r1', provider: 'outbox' }] };
      },
    });
    const run = await challenge(activities, async (handle, first) => {
      await new Promise((r) => setTimeout(r, Date.parse(first.resendAvailableAt!) - Date.now() + 100));
      return handle.executeUpdate(resendUpdate, {
        args: [{ securityKeyDigest: securityKeyDigest(SERVER_KEY, 'k') }],
      });
    });
    expect(Date.parse(run.first.resendAvailableAt!)).toBeGreaterThanOrEqual(sentAt[0]! + 1000);
    expect(Date.parse(run.out.resendAvailableAt!)).toBeGreaterThanOrEqual(sentAt[1]! + 1000);
  }, 60_000);

  it("gives the regular fallback what is left of the code's validity when the local attempts really began", async () => {
    const { activities } = doubles({
      resolveChallengeDestinations: slow(2000, resolveDestinations),
      reserveDestinationSend: async ({ destinationDigests }) => {
        if (Context.current().info.isLocal) {
          await new Promise((r) => setTimeout(r, 300));
          throw new TransientError('quota store slow, then down');
        }
        return { reserved: destinationDigests.length };
      },
    });
    const run = await challenge(activities, async () => undefined);
    expect(run.first.status).toBe('PENDING');
    const scheduled = run.events.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'reserveDestinationSend',
    );
    const at = eventMs(scheduled?.eventTime);
    const budget = durationMs(scheduled?.activityTaskScheduledEventAttributes?.scheduleToCloseTimeout);
    // Never past the code's expiry (allowing for the scheduling task's own time): the lookup
    // and the local attempts (~3.6 s) ran before it in one task.
    expect(at + budget).toBeLessThanOrEqual(Date.parse(run.first.expiresAt) + 1000);
  }, 60_000);

  it("gives an onboarding's regular fallback what is left of its step's budget, and dates its local steps", async () => {
    const onboarding = {
      checkEligibility: slow(750, async () => eligible, 1),
      createIbUser: async () => {
        await new Promise((r) => setTimeout(r, 300));
        if (Context.current().info.isLocal) throw new TransientError('core banking down');
        return {
          userId: 'IBU00000001',
          username: 'ibabcdefgh',
          status: 'ACTIVE',
          existed: false,
          at: new Date().toISOString(),
        };
      },
      getIbUserStatus: async () => 'ACTIVE',
      syncUsernameToChannel: async () => ({ delivered: 'outbox' }),
      sealFirstTimePassword: async () => ({ sealed: 'sealed-password' }),
      issueFirstTimePassword: async () => ({
        channel: 'SMS',
        to: '+254••••••001',
        status: 'SENT',
        provider: 'outbox',
      }),
      deactivateIbUser: async () => undefined,
      deactivateUserByBusinessKey: async () => ({ userId: null }),
    };
    const { trail, events } = await withWorker(env, onboarding, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: `onboard-${randomUUID()}`,
        args: [
          {
            requestId: randomUUID(),
            customerId: '100001',
            channel: 'MOBILE',
            acceptedDisclosures: [],
            authorisationTimeoutHours: 24,
          },
        ],
      });
      await handle.result();
      return {
        trail: (await handle.query(processStateQuery)).auditTrail,
        events: (await handle.fetchHistory()).events ?? [],
      };
    });
    expect(atOf(trail, 'CHECK_ELIGIBILITY')).toBeGreaterThanOrEqual(
      atOf(trail, 'CHECK_ELIGIBILITY', 'STARTED') + 1500,
    );
    expect(atOf(trail, 'CREATE_IB_USER', 'STARTED')).toBe(atOf(trail, 'CHECK_ELIGIBILITY'));
    const create = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createIbUser',
    );
    // coreBankingOptions' 2 hours, less the four local attempts (4 × 0.3 s + 1.4 s of backoff).
    expect(
      durationMs(create?.activityTaskScheduledEventAttributes?.scheduleToCloseTimeout),
    ).toBeLessThanOrEqual(2 * 3_600_000 - 2_600);
  }, 60_000);
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

import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import type { IbUserStatus } from '../../adapters/core-banking/types';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import type { LinkedSystemActivities } from '../../activities/linked-systems';
import type { EligibilityFacts } from '../../activities/types';

type OnboardingActivities = Pick<
  CoreBankingUserActivities,
  'checkEligibility' | 'createIbUser' | 'getIbUserStatus' | 'deactivateIbUser' | 'deactivateUserByBusinessKey'
> &
  Pick<CredentialActivities, 'sealFirstTimePassword' | 'issueFirstTimePassword'> &
  Pick<LinkedSystemActivities, 'syncUsernameToChannel'>;
import { userCreatedUpdate, type OnboardIbUserInput } from '../../messages/onboarding';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const input: OnboardIbUserInput = {
  requestId: 'req-0001-abcd',
  customerId: '100001',
  channel: 'MOBILE',
  acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
  authorisationTimeoutHours: 24,
};

const facts: EligibilityFacts = {
  found: true,
  customerStatus: 'ACTIVE',
  activeProducts: 1,
  hasRegisteredMobile: true,
  phoneMatchesRegistered: null,
  liveIbUserId: null,
  registeredMobileMasked: '+254••••••001',
};

/** Activity doubles that record calls; each test overrides what it needs. */
function fakeActivities(over: Partial<OnboardingActivities> = {}) {
  const calls: string[] = [];
  const track =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    async (...a: A) => {
      calls.push(name);
      return fn(...a);
    };
  const base: OnboardingActivities = {
    checkEligibility: async () => facts,
    createIbUser: async () => ({
      userId: 'IBU00000001',
      username: 'ibabcdefgh',
      status: 'ACTIVE',
      existed: false,
    }),
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
  const merged = { ...base, ...over };
  const activities = Object.fromEntries(
    Object.entries(merged).map(([k, fn]) => [k, track(k, fn as (...a: unknown[]) => Promise<unknown>)]),
  );
  return { activities, calls };
}

describe('OnboardIbUser workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs every step in order and returns the user', async () => {
    const { activities, calls } = fakeActivities();
    const result = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow.execute('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100001-a',
        args: [input],
      }),
    );
    expect(result).toMatchObject({ status: 'COMPLETED', userId: 'IBU00000001', username: 'ibabcdefgh' });
    expect(calls).toEqual([
      'checkEligibility',
      'createIbUser',
      'syncUsernameToChannel',
      'sealFirstTimePassword',
      'issueFirstTimePassword',
    ]);
  });

  it('arms the first-time password expiry as its last step, with the issuance and the TTL', async () => {
    const armed: unknown[] = [];
    const { activities, calls } = fakeActivities();
    const result = await withWorker(
      env,
      {
        ...activities,
        armPasswordExpiry: async (a: { userId: string }) => {
          armed.push(a);
          return { processId: `pwexpiry-${a.userId}` };
        },
      },
      (taskQueue) =>
        env.client.workflow.execute('OnboardIbUser', {
          taskQueue,
          workflowId: 'onboard-100001-expiry',
          args: [{ ...input, firstTimePasswordTtlMinutes: 4320 }],
        }),
    );
    expect(calls.at(-1)).toBe('issueFirstTimePassword');
    expect(armed).toEqual([
      {
        userId: 'IBU00000001',
        issued: {
          ref: expect.stringMatching(/^onboard-100001-expiry:/),
          issuedBy: 'onboard-100001-expiry',
          ttlMinutes: 4320,
          passwordIssuedBy: 'first-time-password:onboard-100001-expiry:IBU00000001',
        },
      },
    ]);
    expect(result).toMatchObject({ passwordExpiry: { processId: 'pwexpiry-IBU00000001' } });
  });

  it('creates nothing for an ineligible customer', async () => {
    const { activities, calls } = fakeActivities({
      checkEligibility: async () => ({ ...facts, activeProducts: 0 }),
    });
    const err = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow
        .execute('OnboardIbUser', { taskQueue, workflowId: 'onboard-100004-a', args: [input] })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({
      type: 'CUSTOMER_NOT_ELIGIBLE',
      details: [{ reason: 'NO_PRODUCT' }],
    });
    expect(calls).toEqual(['checkEligibility']);
  });

  it('waits durably for maker-checker authorisation, then goes on', async () => {
    let polls = 0;
    const { activities, calls } = fakeActivities({
      createIbUser: async () => ({
        userId: 'IBU2',
        username: 'ibpending1',
        status: 'PENDING_AUTHORISATION',
        existed: false,
      }),
      // The checker approves on the fourth look, after the 10 s, 30 s and 60 s waits.
      getIbUserStatus: async (): Promise<IbUserStatus> => (++polls < 4 ? 'PENDING_AUTHORISATION' : 'ACTIVE'),
    });
    const started = await env.currentTimeMs();
    const result = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow.execute('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100005-a',
        args: [input],
      }),
    );
    expect(result.status).toBe('COMPLETED');
    expect(polls).toBe(4);
    expect(calls.filter((c) => c === 'deactivateIbUser')).toHaveLength(0);
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(100_000);
  });

  it('skips the 24 h authorisation timeout, deactivates the pending user and fails', async () => {
    const deactivated: string[] = [];
    const { activities, calls } = fakeActivities({
      createIbUser: async () => ({
        userId: 'IBU3',
        username: 'ibpending2',
        status: 'PENDING_AUTHORISATION',
        existed: false,
      }),
      getIbUserStatus: async () => 'PENDING_AUTHORISATION',
      deactivateIbUser: async ({ userId }) => void deactivated.push(userId),
    });
    const startedWorkflowTime = await env.currentTimeMs();
    const startedWallTime = Date.now();
    const { err, trail } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100006-a',
        args: [input],
      });
      const e = await handle.result().catch((x: unknown) => x);
      return { err: e, trail: await handle.query(processStateQuery) };
    });
    const wallMs = Date.now() - startedWallTime;
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'AUTHORISATION_TIMEOUT' });
    expect((await env.currentTimeMs()) - startedWorkflowTime).toBeGreaterThanOrEqual(24 * 3_600_000);
    // Time skipping, not waiting: a day of timers passes in seconds of real time.
    expect(wallMs).toBeLessThan(20_000);
    expect(deactivated).toEqual(['IBU3']);
    expect(calls.at(-1)).toBe('deactivateIbUser');
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining([
        'AWAIT_AUTHORISATION:WAITING',
        'AWAIT_AUTHORISATION:FAILED',
        'COMPENSATE_DEACTIVATE_USER:COMPLETED',
      ]),
    );
  });

  it.each([
    ['started plainly', false],
    ['started with its milestone Update (Early Return)', true],
  ])('ends a cancelled onboarding FAILED, its user deactivated, when %s', async (_how, early) => {
    const deactivated: string[] = [];
    const { activities } = fakeActivities({
      createIbUser: async () => ({
        userId: 'IBU9',
        username: 'ibpending9',
        status: 'PENDING_AUTHORISATION',
        existed: false,
      }),
      getIbUserStatus: async () => 'PENDING_AUTHORISATION',
      deactivateIbUser: async ({ userId }) => void deactivated.push(userId),
    });
    const err = await withWorker(env, activities, async (taskQueue) => {
      const workflowId = `onboard-cancelled-${String(early)}`;
      let handle: WorkflowHandle;
      if (early) {
        const startWorkflowOperation = new WithStartWorkflowOperation('OnboardIbUser', {
          taskQueue,
          workflowId,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
        });
        const milestone = await env.client.workflow.executeUpdateWithStart(userCreatedUpdate, {
          startWorkflowOperation,
        });
        expect(milestone).toMatchObject({ status: 'PENDING_AUTHORISATION', userId: 'IBU9' });
        handle = await startWorkflowOperation.workflowHandle();
      } else {
        handle = await env.client.workflow.start('OnboardIbUser', { taskQueue, workflowId, args: [input] });
      }
      // Cancelled while it waits for the checker (time does not skip without a result awaited).
      for (let i = 0; i < 100; i++) {
        const { step } = await handle.query(processStateQuery);
        if (step === 'AWAIT_AUTHORISATION') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await handle.cancel();
      return handle.result().catch((x: unknown) => x);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'ONBOARDING_FAILED' });
    expect(deactivated).toEqual(['IBU9']);
  });

  it('a cancel while the create is on its way waits for it, then deactivates the user it made: no active user without credentials, no SMS', async () => {
    // A slow core banking: the local attempts time out, the regular activity's call is on
    // its way when the cancel comes, and core banking commits it after (the request was sent).
    const users = new Map<string, { userId: string; status: IbUserStatus }>();
    let started!: () => void;
    const createStarted = new Promise<void>((r) => (started = r));
    let createDone: Promise<void> = Promise.resolve();
    let attempts = 0;
    const { activities, calls } = fakeActivities({
      createIbUser: async ({ businessKey }) => {
        if (++attempts <= 4) throw new Error('core banking timed out');
        started();
        const done = new Promise<void>((r) => setTimeout(r, 1_500)).then(() => {
          users.set(businessKey, { userId: 'IBU77', status: 'ACTIVE' });
        });
        createDone = done;
        return done.then(() => ({
          userId: 'IBU77',
          username: 'ibcancel77',
          status: 'ACTIVE',
          existed: false,
        }));
      },
      deactivateUserByBusinessKey: async ({ businessKey }) => {
        const user = users.get(businessKey);
        if (user) user.status = 'DEACTIVATED';
        return { userId: user?.userId ?? null };
      },
      deactivateIbUser: async ({ userId }) => {
        for (const u of users.values()) if (u.userId === userId) u.status = 'DEACTIVATED';
      },
    });
    const { err, trail } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-cancel-in-create',
        args: [input],
      });
      await createStarted;
      await handle.cancel();
      const e = await handle.result().catch((x: unknown) => x);
      await createDone;
      return { err: e, trail: await handle.query(processStateQuery) };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect([...users.values()]).toEqual([{ userId: 'IBU77', status: 'DEACTIVATED' }]);
    expect(calls).not.toContain('issueFirstTimePassword');
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining(['CREATE_IB_USER:COMPLETED', 'COMPENSATE_DEACTIVATE_USER:COMPLETED']),
    );
  });

  it('a cancel while core banking is down (no create ever answered) ends the run within minutes', async () => {
    // Core banking down: every create attempt fails without a user being made. The cancel
    // waits inside the nonCancellable create until coreBankingOptions' 2 h schedule-to-close.
    const { activities } = fakeActivities({
      createIbUser: async () => {
        throw new Error('core banking unreachable');
      },
      deactivateUserByBusinessKey: async () => ({ userId: null }),
    });
    const { err, waitedMs } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-cancel-core-down',
        args: [input],
      });
      // Let the local attempts fail and the regular activity begin its retries.
      await env.sleep('2 minutes');
      const cancelledAt = await env.currentTimeMs();
      await handle.cancel();
      const e = await handle.result().catch((x: unknown) => x);
      const closedAt = (await handle.describe()).closeTime?.getTime() ?? 0;
      return { err: e, waitedMs: closedAt - cancelledAt };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(waitedMs).toBeLessThan(10 * 60_000);
  });

  it('a cancel that cuts a local create whose ESB commits after the look-up: ends it as cancelled, no retry, found by the late re-check and deactivated', async () => {
    // The local attempt's create is on its way (the ESB holds the request) when the cancel
    // comes; the SDK cancels the attempt and the real adapter aborts its call, but the ESB
    // commits the create only after the compensation's first look-up by business key.
    const users = new Map<string, { userId: string; status: IbUserStatus }>();
    let started!: () => void;
    const createStarted = new Promise<void>((r) => (started = r));
    let pendingCommit: string | undefined;
    let creates = 0;
    const esb = createCoreBankingHttpClient({
      baseUrl: 'http://esb.invalid',
      timeoutMs: 20_000,
      fetchImpl: (_url, init) => {
        creates++;
        started();
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      },
    });
    const { activities, calls } = fakeActivities({
      createIbUser: async (req) => {
        pendingCommit = req.businessKey;
        const user = await esb.createIbUser({ ...req, username: 'iblate78' });
        return { userId: user.userId, username: user.username, status: user.status, existed: false };
      },
      deactivateUserByBusinessKey: async ({ businessKey }) => {
        const user = users.get(businessKey);
        if (user) user.status = 'DEACTIVATED';
        // The ESB commits the aborted create just after the first look-up.
        if (pendingCommit) users.set(pendingCommit, { userId: 'IBU78', status: 'ACTIVE' });
        pendingCommit = undefined;
        return { userId: user?.userId ?? null };
      },
    });
    const { err, trail } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-cancel-late-commit',
        args: [input],
      });
      await createStarted;
      await handle.cancel();
      const e = await handle.result().catch((x: unknown) => x);
      return { err: e, trail: await handle.query(processStateQuery) };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect([...users.values()]).toEqual([{ userId: 'IBU78', status: 'DEACTIVATED' }]);
    // The cancelled attempt is not retried (its call sent again).
    expect(creates).toBe(1);
    expect(calls).not.toContain('issueFirstTimePassword');
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining(['COMPENSATE_DEACTIVATE_USER:COMPLETED', 'RECHECK_DEACTIVATE_USER:COMPLETED']),
    );
  });

  it('compensates when the first-time password cannot be delivered for good', async () => {
    const deactivated: { userId: string; reason: string }[] = [];
    const { activities } = fakeActivities({
      issueFirstTimePassword: async () => {
        throw ApplicationFailure.create({
          type: 'SMS_REJECTED',
          message: 'destination blocked',
          nonRetryable: true,
        });
      },
      deactivateIbUser: async (a) => void deactivated.push(a),
    });
    const { err, trail } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100007-a',
        args: [input],
      });
      const e = await handle.result().catch((x: unknown) => x);
      return { err: e, trail: await handle.query(processStateQuery) };
    });
    expect((err as WorkflowFailedError).cause).toMatchObject({
      type: 'ONBOARDING_FAILED',
      message: expect.stringMatching(/^Onboarding failed at SEND_FIRST_TIME_PASSWORD: SMS_REJECTED/),
      details: [{ reason: 'SMS_REJECTED', userId: 'IBU00000001', compensated: true }],
    });
    expect(deactivated).toEqual([{ userId: 'IBU00000001', reason: 'onboarding failed: SMS_REJECTED' }]);
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual([
      'CHECK_ELIGIBILITY:STARTED',
      'CHECK_ELIGIBILITY:COMPLETED',
      'CREATE_IB_USER:STARTED',
      'CREATE_IB_USER:COMPLETED',
      'SYNC_USERNAME:STARTED',
      'SYNC_USERNAME:COMPLETED',
      'SEND_FIRST_TIME_PASSWORD:STARTED',
      'SEND_FIRST_TIME_PASSWORD:FAILED',
      'COMPENSATE_DEACTIVATE_USER:STARTED',
      'COMPENSATE_DEACTIVATE_USER:COMPLETED',
      'FAILED:FAILED',
    ]);
  });

  it('does not deactivate a user the checker rejected', async () => {
    const { activities, calls } = fakeActivities({
      createIbUser: async () => ({
        userId: 'IBU4',
        username: 'ibpending3',
        status: 'PENDING_AUTHORISATION',
        existed: false,
      }),
      getIbUserStatus: async () => 'REJECTED',
    });
    const err = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow
        .execute('OnboardIbUser', { taskQueue, workflowId: 'onboard-100008-a', args: [input] })
        .catch((e: unknown) => e),
    );
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'AUTHORISATION_REJECTED' });
    expect(calls).not.toContain('deactivateIbUser');
  });

  it('deactivates a user core banking committed when the create then ran out of its budget', async () => {
    const committed = new Map<string, string>();
    const deactivatedKeys: string[] = [];
    const { activities, calls } = fakeActivities({
      // Core banking commits the first attempt; every answer is lost (timeouts) until the budget ends.
      createIbUser: async ({ businessKey }) => {
        if (!committed.has(businessKey)) committed.set(businessKey, 'IBU9');
        throw new Error('core banking timed out');
      },
      deactivateUserByBusinessKey: async ({ businessKey }) => {
        deactivatedKeys.push(businessKey);
        return { userId: committed.get(businessKey) ?? null };
      },
    });
    const { err, trail } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100009-a',
        args: [input],
      });
      const e = await handle.result().catch((x: unknown) => x);
      return { err: e, trail: await handle.query(processStateQuery) };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(calls.at(-1)).toBe('deactivateUserByBusinessKey');
    expect(deactivatedKeys).toEqual([...committed.keys()]);
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining(['CREATE_IB_USER:FAILED', 'COMPENSATE_DEACTIVATE_USER:COMPLETED']),
    );
  }, 120_000);
});

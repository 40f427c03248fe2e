import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CredentialOwner } from '../../activities/types';
import {
  firstLoginSignal,
  passwordIssuedSignal,
  type PasswordExpiryInput,
  type PasswordExpiryResult,
} from '../../messages/password-expiry';
import type { ResetUserPasswordInput } from '../../messages/password-reset';
import type { ChangeUserStatusInput } from '../../messages/user-status';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const MINUTE = 60_000;
const TTL_MINUTES = 4320;

const owner = (status: CredentialOwner['status'] = 'ACTIVE'): CredentialOwner => ({
  found: true,
  userId: 'IBU00000001',
  customerId: '100001',
  status,
  contacts: { phone: '+254700100001', email: 'amina@example.com' },
});

/** Activity fakes that record each call by name (and notice channel). */
function fakes(over: Record<string, (...a: never[]) => Promise<unknown>> = {}) {
  const calls: string[] = [];
  const base: Record<string, (...a: never[]) => Promise<unknown>> = {
    lookupCredentialOwner: async () => owner(),
    sendCredentialNotice: async (n: { channel: string; to: string }) => ({ to: `masked:${n.to.slice(-3)}` }),
    revokeFirstTimePassword: async () => ({ revoked: true }),
    confirmFirstLogin: async () => ({ confirmed: true }),
    armPasswordExpiry: async (a: { userId: string }) => ({ processId: `pwexpiry-${a.userId}` }),
    consumeMfaChallenge: async () => undefined,
    sealFirstTimePassword: async () => ({ sealed: 'sealed-blob' }),
    issueFirstTimePassword: async (a: { delivery?: string }) => ({
      channel: a.delivery ?? 'SMS',
      to: '+254••••••001',
      status: 'SENT',
      provider: 'fake',
    }),
    applyUserStatus: async (a: { action: string }) => ({
      status: a.action === 'LOCK' ? 'LOCKED' : a.action === 'UNLOCK' ? 'ACTIVE' : 'DEACTIVATED',
    }),
    propagateUserStatus: async () => undefined,
  };
  const merged = { ...base, ...over };
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        const a = args[0] as { channel?: string; system?: string } | undefined;
        calls.push([name, a?.channel ?? a?.system].filter(Boolean).join(':'));
        return fn(...args);
      },
    ]),
  );
  return { activities, calls };
}

describe('credential workflows (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let seq = 0;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const expiryInput = (ref = 'onboard-100001:run-1'): PasswordExpiryInput => ({
    userId: 'IBU00000001',
    issued: { ref, issuedBy: 'onboard-100001', ttlMinutes: TTL_MINUTES },
  });

  describe('FirstTimePasswordExpiry', () => {
    it('revokes the password at the TTL, not a minute before, and tells the contacts how to reset', async () => {
      const { activities, calls } = fakes();
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-ttl-${++seq}`,
          args: [expiryInput()],
        });
        const started = await env.currentTimeMs();
        await env.sleep((TTL_MINUTES - 1) * MINUTE);
        expect(calls).not.toContain('revokeFirstTimePassword');
        expect((await handle.describe()).status.name).toBe('RUNNING');
        const result = (await handle.result()) as PasswordExpiryResult;
        expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(TTL_MINUTES * MINUTE);
        expect(result).toEqual({
          userId: 'IBU00000001',
          outcome: 'EXPIRED',
          ref: 'onboard-100001:run-1',
          revoked: true,
        });
        // The notices go out in parallel: their order is not fixed.
        expect(calls.slice(0, 2)).toEqual(['revokeFirstTimePassword', 'lookupCredentialOwner']);
        expect(calls.slice(2).sort()).toEqual(['sendCredentialNotice:EMAIL', 'sendCredentialNotice:SMS']);
        const trail = await handle.query(processStateQuery);
        expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
          expect.arrayContaining([
            'AWAIT_FIRST_LOGIN:WAITING',
            'REVOKE_PASSWORD:COMPLETED',
            'NOTIFY:COMPLETED',
            'DONE:COMPLETED',
          ]),
        );
      });
    });

    it('re-arms for a reset that lands while the expiry revokes: the new password gets its own timer', async () => {
      let handleRef:
        | {
            signal: (
              s: typeof passwordIssuedSignal,
              a: { ref: string; issuedBy: string; ttlMinutes: number; passwordIssuedBy?: string },
            ) => Promise<void>;
          }
        | undefined;
      const revokes: { ref: string; setNotAfter?: string; passwordIssuedBy?: string }[] = [];
      const { activities } = fakes({
        revokeFirstTimePassword: async (a: {
          ref: string;
          setNotAfter?: string;
          passwordIssuedBy?: string;
        }) => {
          revokes.push(a);
          // The reset re-arms the timer while this revoke is running.
          if (revokes.length === 1) {
            await handleRef!.signal(passwordIssuedSignal, {
              ref: 'reset-IBU00000001:run-2',
              issuedBy: 'reset-IBU00000001',
              ttlMinutes: TTL_MINUTES,
              passwordIssuedBy: 'first-time-password:reset-IBU00000001:run-2:IBU00000001',
            });
          }
          return { revoked: false };
        },
      });
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-race-${++seq}`,
          args: [expiryInput()],
        });
        handleRef = handle;
        const result = (await handle.result()) as PasswordExpiryResult;
        expect(revokes.map((r) => r.ref)).toEqual(['onboard-100001:run-1', 'reset-IBU00000001:run-2']);
        // Each revoke names its deadline, so core banking keeps a password set after it.
        for (const r of revokes) expect(Date.parse(r.setNotAfter ?? '')).not.toBeNaN();
        expect(
          Date.parse(revokes[1]!.setNotAfter!) - Date.parse(revokes[0]!.setNotAfter!),
        ).toBeGreaterThanOrEqual(TTL_MINUTES * MINUTE);
        // An issuance that names its password is revoked by core banking's record of it, not
        // by the workflow's clock against core banking's (an issuance from before: by time).
        expect(revokes.map((r) => r.passwordIssuedBy)).toEqual([
          undefined,
          'first-time-password:reset-IBU00000001:run-2:IBU00000001',
        ]);
        expect(result).toMatchObject({ outcome: 'EXPIRED', ref: 'reset-IBU00000001:run-2' });
      });
    });

    it('stops at a first login before the TTL: nothing is revoked, nobody is told', async () => {
      const { activities, calls } = fakes();
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-login-${++seq}`,
          args: [expiryInput()],
        });
        await env.sleep(60 * MINUTE);
        await handle.signal(firstLoginSignal, { reportedBy: 'channel-backend' });
        const result = (await handle.result()) as PasswordExpiryResult;
        expect(result.outcome).toBe('FIRST_LOGIN');
        await env.sleep(TTL_MINUTES * MINUTE);
        expect(calls).toEqual(['confirmFirstLogin']);
        const trail = await handle.query(processStateQuery);
        expect(trail.auditTrail).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              step: 'FIRST_LOGIN',
              status: 'COMPLETED',
              detail: 'reported by channel-backend',
            }),
          ]),
        );
      });
    });

    it('a first-login report the identity provider does not confirm keeps the timer and its deadline', async () => {
      let confirmed = false;
      const { activities, calls } = fakes({ confirmFirstLogin: async () => ({ confirmed }) });
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-unconfirmed-${++seq}`,
          args: [expiryInput()],
        });
        const started = await env.currentTimeMs();
        await env.sleep(60 * MINUTE);
        // UPDATE_PASSWORD still pending: the report changes nothing.
        await handle.signal(firstLoginSignal, { reportedBy: 'channel-backend' });
        await env.sleep(MINUTE);
        expect((await handle.describe()).status.name).toBe('RUNNING');
        expect(calls).toEqual(['confirmFirstLogin']);
        const result = (await handle.result()) as PasswordExpiryResult;
        expect(result).toMatchObject({ outcome: 'EXPIRED', revoked: true });
        const trail = await handle.query(processStateQuery);
        // The unconfirmed report did not move the deadline: one wait, revoked at the TTL.
        expect(trail.auditTrail.filter((e) => e.step === 'AWAIT_FIRST_LOGIN')).toHaveLength(1);
        const revokedAt = Date.parse(trail.auditTrail.find((e) => e.step === 'REVOKE_PASSWORD')!.at);
        expect(revokedAt - started).toBeLessThan((TTL_MINUTES + 30) * MINUTE);
        expect(trail.auditTrail).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              step: 'CONFIRM_FIRST_LOGIN',
              detail: 'reported by channel-backend, not confirmed: keeps waiting',
            }),
          ]),
        );
        expect(trail.auditTrail.map((e) => e.step)).not.toContain('FIRST_LOGIN');
      });
      // Once the provider confirms, a report ends the timer.
      confirmed = true;
      const { activities: confirming } = fakes({ confirmFirstLogin: async () => ({ confirmed }) });
      await withWorker(env, confirming, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-confirmed-${++seq}`,
          args: [expiryInput()],
        });
        await handle.signal(firstLoginSignal, { reportedBy: 'channel-backend' });
        expect(((await handle.result()) as PasswordExpiryResult).outcome).toBe('FIRST_LOGIN');
      });
    });

    it('restarts the timer when a reset issues a new password; the same issuance twice changes nothing', async () => {
      const { activities, calls } = fakes();
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('FirstTimePasswordExpiry', {
          taskQueue,
          workflowId: `pwexpiry-reset-${++seq}`,
          args: [expiryInput()],
        });
        await env.sleep(4000 * MINUTE);
        const issued = {
          ref: 'reset-IBU00000001:run-2',
          issuedBy: 'reset-IBU00000001',
          ttlMinutes: TTL_MINUTES,
        };
        await handle.signal(passwordIssuedSignal, issued);
        await env.sleep(1000 * MINUTE);
        await handle.signal(passwordIssuedSignal, issued); // a retried arm
        // Past the first password's deadline: the new one is still alive.
        await env.sleep(3000 * MINUTE);
        expect(calls).toEqual([]);
        const result = (await handle.result()) as PasswordExpiryResult;
        expect(result).toMatchObject({ outcome: 'EXPIRED', ref: 'reset-IBU00000001:run-2' });
        const waits = (await handle.query(processStateQuery)).auditTrail.filter(
          (e) => e.step === 'AWAIT_FIRST_LOGIN',
        );
        expect(waits).toHaveLength(2);
        expect(waits[1]?.detail).toMatch(/^password from reset-IBU00000001; expires at /);
      });
    });
  });

  describe('ResetUserPassword', () => {
    const resetInput: ResetUserPasswordInput = {
      requestId: 'reset-req-0001',
      userId: 'IBU00000001',
      mfaServiceKey: '7c1b0f9e-0000-4000-8000-000000000009',
      credentialDelivery: 'EMAIL',
      firstTimePasswordTtlMinutes: TTL_MINUTES,
    };
    const run = (activities: object, args: unknown[] = [resetInput]) =>
      withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('ResetUserPassword', {
          taskQueue,
          workflowId: `reset-IBU00000001-${++seq}`,
          args,
        });
        const outcome = await handle.result().then(
          (r: unknown) => ({ result: r as Record<string, unknown>, error: undefined }),
          (e: unknown) => ({ result: undefined, error: e as WorkflowFailedError }),
        );
        return { ...outcome, trail: await handle.query(processStateQuery) };
      });

    it('consumes the proof, re-arms the expiry before the password is set, sends by email and notifies the phone', async () => {
      const { activities, calls } = fakes();
      const { result } = await run(activities);
      expect(calls).toEqual([
        'lookupCredentialOwner',
        'consumeMfaChallenge',
        'armPasswordExpiry',
        'sealFirstTimePassword',
        'issueFirstTimePassword',
        'sendCredentialNotice:SMS',
      ]);
      expect(result).toMatchObject({
        status: 'COMPLETED',
        credentialDelivery: { channel: 'EMAIL', status: 'SENT' },
        passwordExpiry: { processId: 'pwexpiry-IBU00000001' },
        notifications: [{ channel: 'SMS', status: 'SENT' }],
      });
    });

    it('a lock during the reset: core banking refuses the password, the run fails USER_NOT_ACTIVE and sends nothing', async () => {
      const { activities, calls } = fakes({
        issueFirstTimePassword: async () => {
          throw ApplicationFailure.create({
            type: 'INVALID_STATE',
            message: 'IB user is LOCKED',
            nonRetryable: true,
          });
        },
      });
      const { error, trail } = await run(activities);
      expect((error?.cause as ApplicationFailure | undefined)?.type).toBe('USER_NOT_ACTIVE');
      expect(calls).not.toContain('sendCredentialNotice:SMS');
      expect(calls).not.toContain('sendCredentialNotice:EMAIL');
      expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
        expect.arrayContaining(['SEND_FIRST_TIME_PASSWORD:FAILED', 'FAILED:FAILED']),
      );
    });

    it('a user locked before the reset: refused at the lookup, the proof stays unspent', async () => {
      const { activities, calls } = fakes({ lookupCredentialOwner: async () => owner('LOCKED') });
      const { error } = await run(activities);
      expect((error?.cause as ApplicationFailure | undefined)?.type).toBe('USER_NOT_ACTIVE');
      expect(calls).toEqual(['lookupCredentialOwner']);
    });
  });

  describe('ChangeUserStatus', () => {
    const statusInput = (action: ChangeUserStatusInput['action']): ChangeUserStatusInput => ({
      requestId: `status-req-${++seq}`,
      userId: 'IBU00000001',
      action,
      reason: 'lost phone',
      requestedBy: 'branch-officer-7',
      linkedSystems: ['alerts'],
    });
    const run = (activities: object, input: ChangeUserStatusInput) =>
      withWorker(env, activities, async (taskQueue) => {
        const handle = await env.client.workflow.start('ChangeUserStatus', {
          taskQueue,
          workflowId: `status-IBU00000001-${++seq}`,
          args: [input],
        });
        const outcome = await handle.result().then(
          (r: unknown) => ({ result: r as Record<string, unknown>, error: undefined }),
          (e: unknown) => ({ result: undefined, error: e as WorkflowFailedError }),
        );
        return { ...outcome, trail: await handle.query(processStateQuery) };
      });

    it('locks: core banking, linked systems, notices, and the caller in the trail', async () => {
      const { activities, calls } = fakes();
      const { result, trail } = await run(activities, statusInput('LOCK'));
      expect(result).toMatchObject({
        previousStatus: 'ACTIVE',
        userStatus: 'LOCKED',
        changed: true,
        propagatedTo: ['alerts'],
      });
      expect(calls).toEqual(
        expect.arrayContaining([
          'applyUserStatus',
          'propagateUserStatus:alerts',
          'sendCredentialNotice:SMS',
          'sendCredentialNotice:EMAIL',
        ]),
      );
      expect(trail.auditTrail[0]).toMatchObject({
        step: 'REQUESTED',
        detail: 'LOCK by branch-officer-7: lost phone',
      });
    });

    it('refuses to unlock a closed user, changing nothing', async () => {
      const { activities, calls } = fakes({ lookupCredentialOwner: async () => owner('DEACTIVATED') });
      const { error } = await run(activities, statusInput('UNLOCK'));
      expect((error?.cause as ApplicationFailure | undefined)?.type).toBe('INVALID_STATUS_TRANSITION');
      expect(calls).toEqual(['lookupCredentialOwner']);
    });
  });
});

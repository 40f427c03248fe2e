import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ContactChangeActivities, ContactOwner } from '../../activities/types';
import type { ContactChangeResult, UpdateUserPhoneInput } from '../../messages/contact-change';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const input: UpdateUserPhoneInput = {
  requestId: 'phone-req-0001',
  userId: 'IBU00000001',
  newPhone: '+254711000001',
  mfaServiceKey: '7c1b0f9e-0000-4000-8000-000000000001',
  linkedSystems: ['otp-delivery', 'alerts'],
};

const owner: ContactOwner = {
  found: true,
  customerId: '100001',
  userId: 'IBU00000001',
  current: { phone: '+254700100001', email: 'amina@example.com' },
  changed: ['phone'],
};

function fakes(over: Partial<ContactChangeActivities> = {}) {
  const calls: string[] = [];
  const base: ContactChangeActivities = {
    lookupContactOwner: async () => owner,
    consumeMfaChallenge: async () => undefined,
    applyContactChange: async () => undefined,
    propagateContactChange: async () => undefined,
    sendContactNotice: async ({ to }) => ({ to: `masked:${to.slice(-3)}` }),
  };
  const merged = { ...base, ...over };
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const a = args[0] as { system?: string };
        calls.push(a.system ? `${name}:${a.system}` : name);
        return (fn as (...x: unknown[]) => Promise<unknown>)(...args);
      },
    ]),
  );
  return { activities, calls };
}

describe('UpdateUserPhone workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const run = (activities: object, workflowId: string, args: unknown[] = [input], type = 'UpdateUserPhone') =>
    withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(type, { taskQueue, workflowId, args });
      const outcome = await handle.result().then(
        (r: ContactChangeResult) => ({ result: r, error: undefined }),
        (e: unknown) => ({ result: undefined, error: e as WorkflowFailedError }),
      );
      return { ...outcome, trail: await handle.query(processStateQuery) };
    });

  it('propagates in parallel, waits out a system that is down, and does not repeat the others', async () => {
    let alertsTries = 0;
    const { activities, calls } = fakes({
      propagateContactChange: async ({ system }) => {
        if (system === 'alerts' && ++alertsTries <= 6) {
          throw ApplicationFailure.retryable('alerts endpoint answered 503', 'TransientError');
        }
      },
    });
    const started = await env.currentTimeMs();
    const { result, trail } = await run(activities, 'phone-IBU00000001-a');
    expect(result).toMatchObject({
      status: 'COMPLETED',
      changed: ['phone'],
      phone: '+254••••••001',
      propagatedTo: ['otp-delivery', 'alerts'],
    });
    // Two rounds of three tries failed, the third round got through.
    expect(calls.filter((c) => c === 'propagateContactChange:alerts')).toHaveLength(7);
    expect(calls.filter((c) => c === 'propagateContactChange:otp-delivery')).toHaveLength(1);
    const steps = trail.auditTrail.map((e) => `${e.step}:${e.status}`);
    expect(steps.filter((s) => s === 'PROPAGATE:alerts:WAITING')).toHaveLength(2);
    // otp-delivery acknowledged while alerts was still down.
    expect(steps.indexOf('PROPAGATE:otp-delivery:COMPLETED')).toBeLessThan(
      steps.indexOf('PROPAGATE:alerts:WAITING'),
    );
    expect(steps.indexOf('UPDATE_CORE_BANKING:COMPLETED')).toBeLessThan(
      steps.indexOf('PROPAGATE:alerts:STARTED'),
    );
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(20_000);
    expect(result?.notifications.map((n) => `${n.channel}:${n.kind}`)).toEqual([
      'SMS:SECURITY_NOTICE',
      'SMS:CONFIRMATION',
      'EMAIL:SECURITY_NOTICE',
    ]);
  });

  it('changes nothing when the MFA proof is refused', async () => {
    const { activities, calls } = fakes({
      consumeMfaChallenge: async () => {
        throw ApplicationFailure.create({
          type: 'MFA_NOT_VERIFIED',
          message: 'not verified',
          nonRetryable: true,
        });
      },
    });
    const { error } = await run(activities, 'phone-IBU00000001-b');
    // The activity's business failure, as the API finds it in the cause chain.
    expect(error?.cause).toMatchObject({ cause: { type: 'MFA_NOT_VERIFIED' } });
    expect(calls).toEqual(['lookupContactOwner', 'consumeMfaChallenge']);
  });

  it('refuses an unchanged phone before touching the MFA proof', async () => {
    const { activities, calls } = fakes({ lookupContactOwner: async () => ({ ...owner, changed: [] }) });
    const { error } = await run(activities, 'phone-IBU00000001-c');
    expect(error?.cause).toMatchObject({ type: 'PHONE_UNCHANGED' });
    expect(calls).toEqual(['lookupContactOwner']);
  });

  it('refuses an unknown user', async () => {
    const { activities, calls } = fakes({ lookupContactOwner: async () => ({ ...owner, found: false }) });
    const { error } = await run(activities, 'phone-IBU00000009-a');
    expect(error?.cause).toMatchObject({ type: 'USER_NOT_FOUND' });
    expect(calls).toEqual(['lookupContactOwner']);
  });

  it('fails the run when a linked system refuses for good', async () => {
    const { activities, calls } = fakes({
      propagateContactChange: async ({ system }) => {
        if (system === 'alerts')
          throw ApplicationFailure.create({ type: 'WEBHOOK_REJECTED', message: '410', nonRetryable: true });
      },
    });
    const { error, trail } = await run(activities, 'phone-IBU00000001-d');
    // The documented refusal (502 PROPAGATION_FAILED), naming the system and its reason.
    expect(error?.cause).toMatchObject({
      type: 'PROPAGATION_FAILED',
      details: [{ system: 'alerts', reason: 'WEBHOOK_REJECTED' }],
    });
    // Core banking took the change: the old number is told all the same.
    expect(calls.filter((c) => c === 'sendContactNotice')).toHaveLength(3);
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining(['PROPAGATE:alerts:FAILED', 'NOTIFY:COMPLETED']),
    );
  });

  it('tells the old contacts once core banking took the change, not after a linked system comes back', async () => {
    let alertsDown = true;
    /** Whether alerts was still down when each notice went out. */
    const noticesWhileDown: boolean[] = [];
    const { activities, calls } = fakes({
      propagateContactChange: async ({ system }) => {
        if (system === 'alerts' && alertsDown) throw new Error('alerts down');
      },
      sendContactNotice: async ({ to }) => {
        noticesWhileDown.push(alertsDown);
        return { to: `masked:${to.slice(-3)}` };
      },
    });
    const { result } = await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('UpdateUserPhone', {
        taskQueue,
        workflowId: 'phone-IBU00000001-n',
        args: [input],
      });
      // An hour of outage (workflow time), then alerts comes back.
      await env.sleep(3_600_000);
      alertsDown = false;
      return { result: await handle.result() };
    });
    expect(result.propagatedTo).toEqual(['otp-delivery', 'alerts']);
    // Every notice went out while alerts was still down (it failed more than once), not after.
    expect(noticesWhileDown).toEqual([true, true, true]);
    expect(calls.filter((c) => c === 'propagateContactChange:alerts').length).toBeGreaterThan(3);
  });

  it('runs the institution contact-info update on the same machinery, without MFA', async () => {
    const { activities, calls } = fakes({
      lookupContactOwner: async () => ({ ...owner, userId: null, changed: ['email'] }),
    });
    const { result } = await run(
      activities,
      'contact-100001-a',
      [
        {
          requestId: 'contact-req-1',
          customerId: '100001',
          change: { email: 'amina.new@example.com' },
          linkedSystems: ['alerts'],
        },
      ],
      'UpdateContactInfo',
    );
    expect(result).toMatchObject({
      changed: ['email'],
      email: 'a••••••••@example.com',
      propagatedTo: ['alerts'],
    });
    expect(calls).not.toContain('consumeMfaChallenge');
    expect(result?.notifications.map((n) => `${n.channel}:${n.kind}`)).toEqual([
      'SMS:SECURITY_NOTICE',
      'EMAIL:SECURITY_NOTICE',
      'EMAIL:CONFIRMATION',
    ]);
  });
});

import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CustomerContactActivities } from '../../activities/customer-contacts';
import type { LinkedSystemActivities } from '../../activities/linked-systems';
import type { NoticeActivities } from '../../activities/notices';
import type { ContactOwner, MfaProofActivities } from '../../activities/types';

type ContactChangeActivities = CustomerContactActivities &
  Pick<LinkedSystemActivities, 'propagateContactChange'> &
  Pick<NoticeActivities, 'sendContactNotice'>;

/** What a phone change calls: its own steps and the consume of its MFA proofs. */
type PhoneChangeActivities = ContactChangeActivities &
  Pick<MfaProofActivities, 'consumeMfaChallenge' | 'consumePhoneProof'>;
import {
  cancelPhoneChangeUpdate,
  type ContactChangeResult,
  type UpdateUserPhoneInput,
} from '../../messages/contact-change';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const input: UpdateUserPhoneInput = {
  requestId: 'phone-req-0001',
  userId: 'IBU00000001',
  newPhone: '+254711000001',
  mfaServiceKey: '7c1b0f9e-0000-4000-8000-000000000001',
  stepUpServiceKey: '7c1b0f9e-0000-4000-8000-000000000002',
  linkedSystems: ['otp-delivery', 'alerts'],
};

const owner: ContactOwner = {
  found: true,
  customerId: '100001',
  userId: 'IBU00000001',
  current: { phone: '+254700100001', email: 'amina@example.com' },
  changed: ['phone'],
};

function fakes(over: Partial<PhoneChangeActivities> = {}) {
  const calls: string[] = [];
  const base: PhoneChangeActivities = {
    readContactInfo: async () => ({ found: false, contactInfo: null }),
    consumePhoneProof: async () => ({ phoneDigest: 'd' }),
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
        const a = args[0] as { system?: string; purpose?: string; kind?: string };
        const tag =
          a.system ?? ([a.purpose, a.kind].find((k) => k === 'STEP_UP' || k === 'PENDING_CHANGE') as string);
        calls.push(tag ? `${name}:${tag}` : name);
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
      consumeMfaChallenge: async ({ purpose }) => {
        if (purpose === 'STEP_UP') return;
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

  it('consumes the proof of the new number, then a step-up proof of the factor on file, before core banking', async () => {
    const consumed: unknown[] = [];
    const { activities, calls } = fakes({
      consumeMfaChallenge: async (args) => {
        consumed.push(args);
      },
    });
    const { result } = await run(activities, 'phone-IBU00000001-s1');
    expect(result?.status).toBe('COMPLETED');
    expect(consumed).toEqual([
      {
        serviceKey: input.mfaServiceKey,
        userId: 'IBU00000001',
        phone: '+254711000001',
        // The run's execution chain: another run of the same process id is another consumer.
        consumerProcessId: expect.stringMatching(/^phone-IBU00000001-s1\/[0-9a-f-]{36}$/),
      },
      {
        serviceKey: input.stepUpServiceKey,
        purpose: 'STEP_UP',
        userId: 'IBU00000001',
        phone: '+254700100001', // the phone on file, not the new one
        consumerProcessId: expect.stringMatching(/^phone-IBU00000001-s1\/[0-9a-f-]{36}$/),
      },
    ]);
    expect(calls.slice(0, 4)).toEqual([
      'lookupContactOwner',
      'consumeMfaChallenge',
      'consumeMfaChallenge:STEP_UP',
      'applyContactChange',
    ]);
  });

  it('refuses with STEP_UP_REQUIRED and leaves core banking untouched', async () => {
    const { activities, calls } = fakes({
      consumeMfaChallenge: async ({ purpose }) => {
        if (purpose !== 'STEP_UP') return;
        throw ApplicationFailure.create({
          type: 'MFA_NOT_VERIFIED',
          message: 'not verified',
          nonRetryable: true,
          details: [{ reason: 'CHALLENGE_MISMATCH' }],
        });
      },
    });
    const { error, trail } = await run(activities, 'phone-IBU00000001-s2');
    expect(error?.cause).toMatchObject({
      type: 'STEP_UP_REQUIRED',
      details: [{ reason: 'CHALLENGE_MISMATCH' }],
    });
    expect(calls).toEqual(['lookupContactOwner', 'consumeMfaChallenge', 'consumeMfaChallenge:STEP_UP']);
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toContain('CONSUME_STEP_UP:FAILED');
  });

  it('refuses a run without a step-up proof before doing anything', async () => {
    const { activities, calls } = fakes();
    const { stepUpServiceKey: _omitted, ...withoutStepUp } = input;
    const { error } = await run(activities, 'phone-IBU00000001-s3', [withoutStepUp]);
    expect(error?.cause).toMatchObject({ type: 'STEP_UP_REQUIRED' });
    expect(calls).toEqual([]);
  });

  describe('cooling-off window', () => {
    const WINDOW_MIN = 30;
    const withWindow = { ...input, coolingOffMinutes: WINDOW_MIN };

    /** Starts the run and waits (without skipping time) until it is in its window. */
    const startInWindow = async (taskQueue: string, workflowId: string) => {
      const handle = await env.client.workflow.start('UpdateUserPhone', {
        taskQueue,
        workflowId,
        args: [withWindow],
      });
      for (let i = 0; i < 200; i++) {
        const state = await handle.query(processStateQuery);
        if (state.step === 'COOLING_OFF') return handle;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the run never reached its cooling-off window');
    };

    it('a cancel in the window changes nothing in core banking; the proofs stay consumed', async () => {
      const notified: unknown[] = [];
      const { activities, calls } = fakes({
        sendContactNotice: async ({ channel, to, kind, minutesUntilEffective }) => {
          if (kind === 'PENDING_CHANGE') notified.push({ channel, to, minutesUntilEffective });
          return { to };
        },
      });
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await startInWindow(taskQueue, 'phone-IBU00000001-w1');
        // The contacts on file are told, and the window is open.
        expect(calls).toEqual([
          'lookupContactOwner',
          'consumeMfaChallenge',
          'consumeMfaChallenge:STEP_UP',
          'sendContactNotice:PENDING_CHANGE',
          'sendContactNotice:PENDING_CHANGE',
        ]);
        // Both at once (in parallel): in whichever order they completed.
        expect(notified).toHaveLength(2);
        expect(notified).toEqual(
          expect.arrayContaining([
            { channel: 'SMS', to: '+254700100001', minutesUntilEffective: WINDOW_MIN },
            { channel: 'EMAIL', to: 'amina@example.com', minutesUntilEffective: WINDOW_MIN },
          ]),
        );
        const cancelled = await handle.executeUpdate(cancelPhoneChangeUpdate, {
          args: [{ cancelledBy: 'IBU00000001' }],
        });
        expect(cancelled).toEqual({ processId: 'phone-IBU00000001-w1', status: 'CANCELLED' });
        const error = await handle.result().then(
          () => undefined,
          (e: unknown) => e as WorkflowFailedError,
        );
        expect(error?.cause).toMatchObject({ type: 'PHONE_CHANGE_CANCELLED' });
        const trail = await handle.query(processStateQuery);
        expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toContain('COOLING_OFF:FAILED');
      });
      expect(calls).not.toContain('applyContactChange');
      expect(calls).not.toContain('sendContactNotice'); // no "was changed" notice
      expect(calls.filter((c) => c.startsWith('consumeMfaChallenge'))).toHaveLength(2);
    });

    it('without a cancel, the change goes through at the end of the window', async () => {
      const { activities, calls } = fakes();
      const started = await env.currentTimeMs();
      const { result, trail } = await run(activities, 'phone-IBU00000001-w2', [withWindow]);
      expect(result?.status).toBe('COMPLETED');
      expect(calls).toContain('applyContactChange');
      const steps = trail.auditTrail.map((e) => `${e.step}:${e.status}`);
      expect(steps.indexOf('COOLING_OFF:COMPLETED')).toBeLessThan(
        steps.indexOf('UPDATE_CORE_BANKING:STARTED'),
      );
      expect(steps.indexOf('CONSUME_STEP_UP:COMPLETED')).toBeLessThan(
        steps.indexOf('NOTIFY_PENDING:STARTED'),
      );
      expect(steps.indexOf('NOTIFY_PENDING:COMPLETED')).toBeLessThan(steps.indexOf('COOLING_OFF:WAITING'));
      expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(WINDOW_MIN * 60_000);
    });

    it('refuses a cancel once the window has passed', async () => {
      const { activities, calls } = fakes({
        // Holds the run just after the window, so the cancel meets a live run.
        applyContactChange: async () => {
          await new Promise((r) => setTimeout(r, 1_500));
        },
      });
      await withWorker(env, activities, async (taskQueue) => {
        const handle = await startInWindow(taskQueue, 'phone-IBU00000001-w3');
        await env.sleep(WINDOW_MIN * 60_000 + 1_000);
        for (let i = 0; i < 100 && !calls.includes('applyContactChange'); i++)
          await new Promise((r) => setTimeout(r, 20));
        await expect(
          handle.executeUpdate(cancelPhoneChangeUpdate, { args: [{ cancelledBy: 'IBU00000001' }] }),
        ).rejects.toMatchObject({ cause: { type: 'NOT_CANCELLABLE' } });
        expect((await handle.result()).status).toBe('COMPLETED');
      });
    });
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

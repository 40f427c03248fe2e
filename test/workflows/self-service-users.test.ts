import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CreateSelfServiceUserInput } from '../../messages/self-service-users';
import { processStateQuery } from '../../messages/process';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

/** Activity fakes recording each call (name and argument). */
function fakes(over: Record<string, (a: never) => Promise<unknown>> = {}) {
  const calls: [string, Record<string, unknown>][] = [];
  const base: Record<string, (a: never) => Promise<unknown>> = {
    checkEligibility: async () => ({
      found: true,
      customerStatus: 'ACTIVE',
      customerType: 'BUSINESS',
      businessUserRequested: true,
      activeProducts: 1,
      hasRegisteredMobile: true,
      phoneMatchesRegistered: null,
      liveIbUserId: null,
      registeredMobileMasked: null,
    }),
    createSelfServiceIbUser: async () => ({
      userId: 'IBU1',
      username: 'erp.robot01',
      status: 'ACTIVE',
      existed: false,
    }),
    sealGeneratedSelfServicePassword: async () => ({ sealed: 'sealed-generated' }),
    provisionSelfServiceLogin: async () => ({ created: true, passwordSet: true }),
    sendSelfServicePassword: async (a: { delivery: string }) => ({
      channel: (a as { delivery: string }).delivery,
      to: 'e•••@acme.example',
      status: 'SENT',
      provider: 'fake',
    }),
    deactivateIbUser: async () => undefined,
    deactivateUserByBusinessKey: async () => ({ userId: null }),
    disableSelfServiceLogin: async () => undefined,
  };
  const merged = { ...base, ...over };
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      async (a: never) => {
        calls.push([name, a as Record<string, unknown>]);
        return fn(a);
      },
    ]),
  );
  return { activities, calls, names: () => calls.map(([n]) => n) };
}

const input = (o: Partial<CreateSelfServiceUserInput> = {}): CreateSelfServiceUserInput => ({
  requestId: 'req-00000001',
  username: 'erp.robot01',
  firstname: 'Erp',
  lastname: 'Robot',
  email: 'erp@acme.example',
  officeId: 1,
  roles: ['self-service-contact-info'],
  clients: ['B1', 'C1', 'C2'],
  delivery: 'EMAIL',
  temporary: false,
  ...o,
});

describe('CreateSelfServiceUser (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let seq = 0;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const run = (activities: object, i: CreateSelfServiceUserInput) =>
    withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('CreateSelfServiceUser', {
        taskQueue,
        workflowId: `ssuser-wf-${++seq}`,
        args: [i],
      });
      const outcome = await handle.result().then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      return { outcome, trail: await handle.query(processStateQuery), processId: handle.workflowId };
    });

  it('a generated password is sealed once, set as temporary under a key of this process, and sent under one message id', async () => {
    const f = fakes();
    const { outcome, processId } = await run(f.activities, input());
    expect(outcome.ok).toBe(true);
    expect(f.names()).toEqual([
      'checkEligibility',
      'createSelfServiceIbUser',
      'sealGeneratedSelfServicePassword',
      'provisionSelfServiceLogin',
      'sendSelfServicePassword',
    ]);
    const eligibility = f.calls[0]![1];
    expect(eligibility).toMatchObject({
      customerId: 'B1',
      userReference: 'erp.robot01',
      linkedCustomerIds: ['C1', 'C2'],
    });
    const provision = f.calls[3]![1];
    expect(provision).toMatchObject({
      sealedPassword: 'sealed-generated',
      temporary: true,
      clients: ['B1', 'C1', 'C2'],
    });
    expect(String(provision.issuance)).toMatch(new RegExp(`^${processId}:`));
    expect(f.calls[4]![1]).toMatchObject({
      delivery: 'EMAIL',
      messageId: `${processId}.IBU1.self-service-password.email`,
    });
  });

  it("the admin's sealed password is set as given and sent nowhere", async () => {
    const f = fakes();
    const { outcome } = await run(f.activities, input({ sealedPassword: 'sealed-by-api', temporary: false }));
    expect(outcome.ok).toBe(true);
    expect(f.names()).not.toContain('sendSelfServicePassword');
    expect(f.names()).not.toContain('sealGeneratedSelfServicePassword');
    expect(f.calls.find(([n]) => n === 'provisionSelfServiceLogin')![1]).toMatchObject({
      sealedPassword: 'sealed-by-api',
      temporary: false,
    });
  });

  it('unrelated clients end the run before any user exists', async () => {
    const f = fakes({
      checkEligibility: async () => ({
        found: true,
        customerStatus: 'ACTIVE',
        customerType: 'BUSINESS',
        businessUserRequested: true,
        linkedCustomersNotRelated: true,
        activeProducts: 1,
        hasRegisteredMobile: true,
        phoneMatchesRegistered: null,
        liveIbUserId: null,
        registeredMobileMasked: null,
      }),
    });
    const { outcome } = await run(f.activities, input());
    expect(outcome.ok).toBe(false);
    const cause = ((outcome as { e: WorkflowFailedError }).e.cause as ApplicationFailure).type;
    expect(cause).toBe('LINKED_CUSTOMER_NOT_RELATED');
    expect(f.names()).toEqual(['checkEligibility']);
  });

  it('a refusal after the user exists deactivates it in core banking and disables its login', async () => {
    const f = fakes({
      provisionSelfServiceLogin: async () => {
        throw ApplicationFailure.create({ type: 'IDENTITY_PROVIDER_REFUSED', nonRetryable: true });
      },
    });
    const { outcome, trail } = await run(f.activities, input());
    expect(outcome.ok).toBe(false);
    expect(((outcome as { e: WorkflowFailedError }).e.cause as ApplicationFailure).type).toBe(
      'SELF_SERVICE_USER_FAILED',
    );
    expect(f.names().slice(-2)).toEqual(['deactivateIbUser', 'disableSelfServiceLogin']);
    expect(f.names()).not.toContain('sendSelfServicePassword');
    expect(trail.auditTrail.map((e) => `${e.step}:${e.status}`)).toEqual(
      expect.arrayContaining(['COMPENSATE_DEACTIVATE_USER:COMPLETED', 'COMPENSATE_DISABLE_LOGIN:COMPLETED']),
    );
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';
import { temporalCliPath } from '../setup/tools';

const run = promisify(execFile);

/**
 * Recovery paths on the dev server: ops resets of finished processes (the Temporal CLI,
 * as from the UI), and a new onboarding after a failed one.
 */
describe('ops recovery end to end', () => {
  let stack: Stack;
  let token: string;
  const disclosures = ['IB_TERMS', 'PRIVACY'];

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('ib-users:write processes:read institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const open = (body: Record<string, unknown>) =>
    call(stack.apiUrl, 'POST', '/open-user-ib', { token, body });
  const admin = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const ibUsers = async (customerId: string) =>
    (await admin('GET', `/admin/customers/${customerId}`)).body.ibUsers as {
      userId: string;
      username: string;
      status: string;
    }[];
  const customer = (customerId: string) =>
    admin('POST', '/admin/customers', {
      customerId,
      firstName: 'Recovery',
      lastName: 'Tester',
      phone: `+254700${customerId}`,
      email: `recovery.${customerId}@example.com`,
      products: [`SAV-${customerId}`],
    });

  /** `temporal workflow reset` against the stack's dev server; resolves with the new run's id. */
  async function reset(workflowId: string, to: string[]): Promise<string> {
    const before = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    await run(temporalCliPath, [
      'workflow',
      'reset',
      '--address',
      stack.env.address,
      '--namespace',
      stack.env.namespace ?? 'default',
      '--workflow-id',
      workflowId,
      '--reason',
      'e2e: ops recovery',
      ...to,
    ]);
    const after = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    expect(after).not.toBe(before);
    return after;
  }

  it('a completed onboarding reset by ops (its last workflow task, then to the start) completes on its own user', async () => {
    await customer('300001');
    const first = await open({
      requestId: 'e2e-reset-0001',
      customerId: '300001',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    expect(first.status).toBe(201);
    const userId = first.body.userId as string;

    // The steps run local first: the last workflow task re-runs them (eligibility, create,
    // username sync, password) as they were recorded, keyed as before.
    await reset('onboard-300001', ['--type', 'LastWorkflowTask']);
    const afterReset = await waitForProcess(stack, 'onboard-300001');
    expect(afterReset.body).toMatchObject({ status: 'COMPLETED', result: { userId } });
    expect(await ibUsers('300001')).toEqual([expect.objectContaining({ userId, status: 'ACTIVE' })]);

    // Back to the very start: the eligibility check recognises the user this onboarding made.
    await reset('onboard-300001', ['--type', 'FirstWorkflowTask']);
    const fromStart = await waitForProcess(stack, 'onboard-300001');
    expect(fromStart.body).toMatchObject({ status: 'COMPLETED', result: { userId } });
    expect(await ibUsers('300001')).toEqual([expect.objectContaining({ userId, status: 'ACTIVE' })]);
    // Each run announced the same user under the same webhook id: the channel got it once.
    expect(
      stack.outbox('webhooks').filter((w) => (w.payload as { userId?: string }).userId === userId),
    ).toHaveLength(1);
  }, 120_000);

  it('a new onboarding after a failed one announces its new username to the channel', async () => {
    await customer('300002');
    // The first onboarding gets as far as the username sync, then fails setting the password.
    await admin('PUT', '/admin/faults', {
      businessError: { operation: 'setPassword', errorCode: 'INVALID_STATE', remaining: 1 },
    });
    const failed = await open({
      requestId: 'e2e-again-0001',
      customerId: '300002',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    await admin('DELETE', '/admin/faults');
    expect(failed.body.code).toBe('ONBOARDING_FAILED');
    const [first] = await ibUsers('300002');
    expect(first?.status).toBe('DEACTIVATED');

    const again = await open({
      requestId: 'e2e-again-0002',
      customerId: '300002',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    expect(again.status).toBe(201);
    expect(again.body.userId).not.toBe(first?.userId);
    const announced = stack
      .outbox('webhooks')
      .filter((w) => w.type === 'ib_user.username_assigned')
      .map((w) => w.payload as { customerId: string; userId: string; username: string })
      .filter((p) => p.customerId === '300002');
    expect(announced).toEqual([
      expect.objectContaining({ userId: first?.userId, username: first?.username }),
      expect.objectContaining({ userId: again.body.userId, username: again.body.username }),
    ]);
  }, 120_000);

  it('a contact change reset by ops to after its lookup repeats no notice and no webhook', async () => {
    await customer('300003');
    const res = await call(stack.apiUrl, 'PUT', '/customers/300003/contact-info', {
      token,
      body: { email: { emailAddress: 'reset.300003@example.com' } },
      headers: { 'Idempotency-Key': 'e2e-contact-reset-0001' },
    });
    expect(res.body.changed).toEqual(['email']);
    const mine = () => ({
      emails: stack.outbox('email').filter((m) => String(m.to).includes('300003')).length,
      webhooks: stack
        .outbox('webhooks')
        .filter((w) => (w.payload as { customerId?: string }).customerId === '300003').length,
    });
    const before = mine();
    expect(before.emails).toBe(2); // the notice to the old address, the confirmation to the new
    expect(before.webhooks).toBeGreaterThan(0);

    const events = (await stack.client.workflow.getHandle('contact-300003').fetchHistory()).events ?? [];
    const looked = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
    const afterLookup = events.slice(looked).find((e) => e.workflowTaskCompletedEventAttributes);
    await reset('contact-300003', ['--event-id', String(afterLookup?.eventId)]);
    expect((await waitForProcess(stack, 'contact-300003')).body.status).toBe('COMPLETED');
    expect(mine()).toEqual(before);
  }, 120_000);
});

import type { OpenUserIbRequest } from '../helpers/openapi-types.generated';
import { apiClient, type ApiClient } from '../helpers/api-client';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * Review of integ (replayMilestone, clients/process-start.ts): each replay of an Early Return
 * request sends the run a new milestone Update (no updateId), so each retry of a lost answer
 * writes Update events and a workflow task into the run's history. A channel retrying at the
 * answer's Retry-After (2 s) through a maker-checker wait (up to MAKER_CHECKER_TIMEOUT_HOURS)
 * grows the run's history per retry; main answered replays without touching the run.
 */
describe('replayed Early Return requests', () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack();
    api = apiClient(stack.apiUrl, await stack.token('ib-users:write processes:read'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const open = (body: OpenUserIbRequest, header: { Prefer?: string } = {}) =>
    api.POST('/open-user-ib', { body, params: { header } });
  const admin = async (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const eventCount = async (processId: string) =>
    (await stack.client.workflow.getHandle(processId).fetchHistory()).events?.length ?? 0;

  it('a replay adds nothing to the run it replays', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '209911',
      firstName: 'Retry',
      lastName: 'Loop',
      phone: '+254700209911',
      email: 'retry-loop@example.com',
      products: ['SAV-209911'],
    });
    await admin('PUT', '/admin/faults', { pendingAuthorisation: true });
    const body = {
      requestId: 'milestone-replay-9911',
      customerId: '209911',
      channel: 'BRANCH' as const,
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    };
    const first = await open(body, { Prefer: 'milestone=user-created' });
    await admin('DELETE', '/admin/faults');
    expect(first.response.status).toBe(202);
    // Let the run settle into its wait for the checker.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = await eventCount('onboard-209911');
    for (let i = 0; i < 10; i++) {
      const again = await open(body, { Prefer: 'milestone=user-created' });
      expect(again.response.status).toBe(202);
    }
    const after = await eventCount('onboard-209911');
    expect(after - before).toBe(0);
  }, 90_000);
});

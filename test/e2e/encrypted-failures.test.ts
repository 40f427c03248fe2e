import { temporal } from '@temporalio/proto';
import { decodedHistoryText, payloadsIn } from '../helpers/history';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

type Failure = temporal.api.failure.v1.IFailure;

/** Every Failure message in a history: activity failures, the workflow's own, and their causes. */
function failuresIn(value: unknown, found: Failure[] = []): Failure[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'failure' || key === 'cause') && child && typeof child === 'object')
      found.push(child as Failure);
    failuresIn(child, found);
  }
  return found;
}

/**
 * Failure text (the ESB's own words included) is encrypted in history like every other
 * payload: a failed run's raw history holds no message or stack trace in clear, while
 * the codec (what ops use) and the API still show it.
 */
describe('encrypted failures', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps the ESB error text of a failed run out of the raw history', async () => {
    // The ESB refuses the customer lookup with its own words: "getCustomer failed: CUSTOMER_BLOCKED (injected)".
    await call(stack.simulatorUrl, 'PUT', '/admin/faults', {
      body: {
        businessError: { operation: 'getCustomer', errorCode: 'CUSTOMER_BLOCKED', status: 409, remaining: 1 },
      },
    });
    const esbText = 'getCustomer failed: CUSTOMER_BLOCKED (injected)';
    const token = await stack.token('ib-users:write processes:read');
    const res = await call(stack.apiUrl, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'enc-fail-0001',
        customerId: '100005',
        channel: 'BRANCH',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await waitForProcess(stack, 'onboard-100005')).body.status).toBe('FAILED');

    const raw = await stack.client.workflow.getHandle('onboard-100005').fetchHistory();
    const failures = failuresIn(raw);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.message).toBe('Encoded failure');
      expect(f.stackTrace ?? '').toBe('');
      expect(payloadsIn(f.encodedAttributes).length).toBe(1);
    }
    const rawText =
      JSON.stringify(raw) +
      payloadsIn(raw)
        .map((p) => Buffer.from(p.data ?? []).toString('latin1'))
        .join('');
    expect(rawText).not.toContain('CUSTOMER_BLOCKED (injected)');
    expect(rawText).not.toMatch(/\.ts:\d+|\.js:\d+/); // no stack frames either

    const decoded = await decodedHistoryText(stack.codec, raw);
    expect(decoded).toContain(esbText);
  });
});

import { call, startStack, type Stack } from '../helpers/stack';

/**
 * A caller who guessed a customer's identity learns no more from an ineligible customer
 * than from a mismatch: the same 422 IDENTITY_NOT_VERIFIED, nothing sent; the reason is
 * for ops, in the run's trail (issue #27, defect 12).
 */
describe('self-registration of a customer who is not eligible', () => {
  let stack: Stack;
  let token: string;
  const disclosures = [
    { id: 'IB_TERMS', version: 1 },
    { id: 'PRIVACY', version: 1 },
  ];
  const register = (requestId: string, identity: Record<string, string>) =>
    call(stack.apiUrl, 'POST', '/registrations', {
      token,
      body: {
        requestId,
        identity,
        username: `user.${requestId}`,
        password: 'violet-harbour-lantern-42',
        acceptedDisclosures: disclosures,
      },
    });
  const bare = (r: Awaited<ReturnType<typeof call>>) => {
    const { requestId: _r, instance: _i, ...rest } = r.body;
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: rest };
  };

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('registrations:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a customer with no product as it answers a mismatch, and tells ops why', async () => {
    const before = stack.outbox('sms').length;
    // Seeded customer 100004: active, a mobile on file, no product.
    const daniel = {
      firstName: 'Daniel',
      lastName: 'Kiprop',
      dateOfBirth: '1978-01-30',
      nationalIdLast4: '0004',
    };
    const noProduct = await register('reg-elig-0001', daniel);
    const mismatch = await register('reg-elig-0002', { ...daniel, nationalIdLast4: '9999' });
    expect(bare(noProduct)).toEqual(bare(mismatch));
    expect(noProduct.body).toMatchObject({ status: 422, code: 'IDENTITY_NOT_VERIFIED' });
    expect(JSON.stringify(noProduct.body)).not.toMatch(/NO_PRODUCT|NOT_ELIGIBLE|processId/);
    expect(stack.outbox('sms')).toHaveLength(before);

    let trail = '';
    for await (const run of stack.client.workflow.list({ query: "WorkflowType = 'SelfRegistration'" })) {
      const state = await stack.client.workflow.getHandle(run.workflowId).query('processState');
      trail += JSON.stringify(state);
    }
    expect(trail).toMatch(/CUSTOMER_NOT_ELIGIBLE NO_PRODUCT/);
  });
});

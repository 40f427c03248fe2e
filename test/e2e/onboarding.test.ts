import type { OpenUserIbRequest } from '../helpers/openapi-types.generated';
import { apiClient, type ApiClient } from '../helpers/api-client';
import { decodedHistoryText, encodings, searchAttributeValues } from '../helpers/history';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/**
 * POST /open-user-ib through HTTP: API → Temporal dev server → real worker →
 * core-banking simulator, SMS and webhook outboxes. The API is called through the typed
 * client generated from the OpenAPI document (test/helpers/api-client.ts), so each request
 * and answer here is also one the document describes.
 */
describe('open IB/MB user end to end', () => {
  let stack: Stack;
  let api: ApiClient;
  const disclosures = ['IB_TERMS', 'PRIVACY'];

  beforeAll(async () => {
    stack = await startStack();
    api = apiClient(stack.apiUrl, await stack.token('ib-users:write processes:read'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const open = (body: OpenUserIbRequest, header: { Prefer?: string } = {}) =>
    api.POST('/open-user-ib', { body, params: { header } });
  const processView = (processId: string) =>
    api.GET('/processes/{processId}', { params: { path: { processId } } });
  const admin = async (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const ibUsers = async (customerId: string) =>
    (await admin('GET', `/admin/customers/${customerId}`)).body.ibUsers as {
      userId: string;
      status: string;
    }[];
  const history = (processId: string) => stack.client.workflow.getHandle(processId).fetchHistory();

  it('opens a user: 201 with a username, one SMS with a working password that no history or log holds', async () => {
    const { data: opened, response } = await open({
      requestId: 'e2e-open-0001',
      customerId: '100001',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    if (opened?.status !== 'COMPLETED') throw new Error(`not opened: ${JSON.stringify(opened)}`);
    expect(opened).toMatchObject({
      processId: 'onboard-100001',
      status: 'COMPLETED',
      customerId: '100001',
      userId: expect.any(String),
      username: expect.stringMatching(/^ib[a-z0-9]{8}$/),
      credentialDelivery: { channel: 'SMS', to: '+254••••••001', status: 'SENT' },
    });

    const sms = stack.outbox('sms').filter((m) => m.to === '+254700100001');
    expect(sms).toHaveLength(1);
    const password = /first-time password is (\S+)\./.exec(String(sms[0]?.body))?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{14}$/);
    const { userId, username } = opened;
    // Password only: the username reaches the customer through the channel, never in the same SMS.
    expect(String(sms[0]?.body)).not.toContain(username);
    expect(String(sms[0]?.body)).not.toMatch(/username/i);
    expect((await admin('POST', `/admin/ib-users/${userId}/verify-password`, { password })).body).toEqual({
      matches: true,
    });

    const webhooks = stack.outbox('webhooks');
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]).toMatchObject({
      type: 'ib_user.username_assigned',
      payload: { userId, username },
    });

    // Every payload is encrypted at rest; even decoded, the password is not there.
    const events = await history('onboard-100001');
    expect(new Set(encodings(events))).toEqual(new Set(['binary/encrypted']));
    // Search attributes stay plain for indexing: ids and statuses only, no contact details.
    const attributes = searchAttributeValues(events);
    expect(attributes).toEqual(
      expect.arrayContaining(['CustomerId="100001"', 'ProcessType="ONBOARD_IB_USER"', 'ProcessStep="DONE"']),
    );
    expect(attributes.join()).not.toMatch(/700100001|@|Amina|Wanjiru/);
    const decoded = await decodedHistoryText(stack.codec, events);
    expect(decoded).toContain('100001');
    expect(decoded).not.toContain(password as string);
    expect(stack.logs.join('\n')).not.toContain(password as string);
    expect(await ibUsers('100001')).toEqual([expect.objectContaining({ userId, status: 'ACTIVE' })]);
  });

  it('records the disclosure evidence in core banking, and refuses a stale version naming the current one', async () => {
    const { body: customer } = await admin('GET', '/admin/customers/100001');
    expect(customer.disclosureAcceptances).toEqual([
      expect.objectContaining({
        channel: 'MOBILE',
        acceptedAt: expect.any(String),
        disclosures: [
          expect.objectContaining({
            id: 'IB_TERMS',
            version: 1,
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          }),
          expect.objectContaining({ id: 'PRIVACY', version: 1 }),
        ],
      }),
    ]);
    const stale = await open({
      requestId: 'e2e-open-stale-1',
      customerId: '100005',
      channel: 'MOBILE',
      acceptedDisclosures: [{ id: 'IB_TERMS', version: 2 }, 'PRIVACY'],
    });
    expect(stale.response.status).toBe(422);
    expect(stale.error).toMatchObject({
      code: 'DISCLOSURES_NOT_ACCEPTED',
      stale: [{ id: 'IB_TERMS', accepted: 2, current: 1 }],
    });
  });

  it('replays the same request without a second user or SMS, and refuses the key with another body', async () => {
    const body: OpenUserIbRequest = {
      requestId: 'e2e-open-0001',
      customerId: '100001',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    };
    const smsBefore = stack.outbox('sms').length;
    const replay = await open(body);
    expect(replay.response.status).toBe(201);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.data?.processId).toBe('onboard-100001');
    expect(stack.outbox('sms')).toHaveLength(smsBefore);
    expect(await ibUsers('100001')).toHaveLength(1);

    const other = await open({ ...body, channel: 'BRANCH' });
    expect(other.response.status).toBe(422);
    expect(other.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const newKey = await open({ ...body, requestId: 'e2e-open-0002' });
    expect(newKey.response.status).toBe(409);
    expect(newKey.error?.code).toBe('ALREADY_REGISTERED');
  });

  it('shows status, result and the audit trail after completion', async () => {
    const { data: view, response } = await processView('onboard-100001');
    expect(response.status).toBe(200);
    expect(view).toMatchObject({
      processType: 'OnboardIbUser',
      status: 'COMPLETED',
      step: 'DONE',
      result: { customerId: '100001' },
    });
    const steps = (view?.auditTrail ?? []).map((e) => `${e.step}:${e.status}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        'CHECK_ELIGIBILITY:COMPLETED',
        'CREATE_IB_USER:COMPLETED',
        'SYNC_USERNAME:COMPLETED',
        'SEND_FIRST_TIME_PASSWORD:COMPLETED',
      ]),
    );
    const missing = await processView('onboard-nobody');
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: expect.any(String), status: 404 });
  });

  it("dates a local step when it was done: one through on a local retry shows its failed attempts' time", async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200020',
      firstName: 'Slow',
      lastName: 'Lookup',
      phone: '+254700200020',
      email: 'slow.lookup@example.com',
      products: ['SAV-200020'],
    });
    // Every core-banking call 500 ms; the eligibility's first three lookups refused: its
    // fourth local attempt gets through, at least 4 × 500 ms + 1.4 s of backoff after the first.
    await admin('PUT', '/admin/faults', {
      latencyMs: 500,
      businessError: {
        operation: 'getCustomer',
        errorCode: 'SERVICE_UNAVAILABLE',
        status: 503,
        remaining: 3,
      },
    });
    try {
      await open({
        requestId: 'e2e-slow-lookup-0001',
        customerId: '200020',
        channel: 'MOBILE',
        acceptedDisclosures: disclosures,
      });
      expect((await waitForProcess(stack, 'onboard-200020')).body.status).toBe('COMPLETED');
    } finally {
      await admin('DELETE', '/admin/faults');
    }
    const trail = (await processView('onboard-200020')).data?.auditTrail ?? [];
    const at = (step: string, status: string) =>
      Date.parse(trail.find((e) => e.step === step && e.status === status)?.at ?? 'missing');
    // Workflow time alone moves on by the last attempt's runtime only (about 1 s here).
    expect(at('CHECK_ELIGIBILITY', 'COMPLETED')).toBeGreaterThanOrEqual(
      at('CHECK_ELIGIBILITY', 'STARTED') + 3_000,
    );
    expect(at('CREATE_IB_USER', 'STARTED')).toBe(at('CHECK_ELIGIBILITY', 'COMPLETED'));
    expect(at('CREATE_IB_USER', 'COMPLETED')).toBeGreaterThan(at('CREATE_IB_USER', 'STARTED'));
  }, 90_000);

  it.each([
    ['CUSTOMER_NOT_FOUND', 404, { customerId: '999999' }, undefined],
    ['ALREADY_REGISTERED', 409, { customerId: '100002' }, undefined],
    ['CUSTOMER_NOT_ELIGIBLE', 422, { customerId: '100003' }, 'NO_REGISTERED_MOBILE'],
    ['CUSTOMER_NOT_ELIGIBLE', 422, { customerId: '100004' }, 'NO_PRODUCT'],
    ['PHONE_MISMATCH', 422, { customerId: '100005', phone: '+254799999999' }, undefined],
  ])('refuses with %s (%i) and creates nothing', async (code, status, fields, reason) => {
    const customerId = fields.customerId;
    const before = customerId === '999999' ? [] : await ibUsers(customerId);
    const smsBefore = stack.outbox('sms').length;
    const { error, response } = await open({
      requestId: `e2e-${code}-${customerId}`,
      channel: 'BRANCH',
      acceptedDisclosures: disclosures,
      ...fields,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(error).toMatchObject({ code, processId: `onboard-${customerId}` });
    if (reason) expect(error?.reason).toBe(reason);
    if (customerId !== '999999') expect(await ibUsers(customerId)).toEqual(before);
    expect(stack.outbox('sms')).toHaveLength(smsBefore);
  });

  it('rides out a core-banking outage: 202 first, then exactly one user', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200001',
      firstName: 'Outage',
      lastName: 'Tester',
      phone: '+254700200001',
      email: 'outage@example.com',
      products: ['SAV-200001'],
    });
    await admin('PUT', '/admin/faults', { errorRate: 1 });
    const { data, response } = await open(
      {
        requestId: 'e2e-outage-0001',
        customerId: '200001',
        channel: 'MOBILE',
        acceptedDisclosures: disclosures,
      },
      { Prefer: 'wait=1' },
    );
    expect(response.status).toBe(202);
    expect(data).toEqual({
      processId: 'onboard-200001',
      status: 'RUNNING',
      statusUrl: '/processes/onboard-200001',
    });
    expect(response.headers.get('location')).toBe('/processes/onboard-200001');
    await new Promise((r) => setTimeout(r, 3_000)); // the outage lasts a few retries
    await admin('DELETE', '/admin/faults');
    const done = await waitForProcess(stack, 'onboard-200001');
    expect(done.body.status).toBe('COMPLETED');
    expect(await ibUsers('200001')).toHaveLength(1);
    expect(stack.outbox('sms').filter((m) => m.to === '+254700200001')).toHaveLength(1);
  }, 90_000);

  it('answers at the milestone (Prefer: milestone=user-created): 202 with the user, then the same run completes once', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200009',
      firstName: 'Early',
      lastName: 'Return',
      phone: '+254700200009',
      email: 'early@example.com',
      products: ['SAV-200009'],
    });
    const body = {
      requestId: 'e2e-milestone-0001',
      customerId: '200009',
      channel: 'MOBILE' as const,
      acceptedDisclosures: disclosures,
    };
    const { data, response } = await open(body, { Prefer: 'milestone=user-created' });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/processes/onboard-200009');
    expect(data).toEqual({
      processId: 'onboard-200009',
      status: 'USER_CREATED',
      customerId: '200009',
      userId: expect.any(String),
      username: expect.stringMatching(/^ib[a-z0-9]{8}$/),
      statusUrl: '/processes/onboard-200009',
    });
    const users = await ibUsers('200009');
    expect(users.map((u) => u.userId)).toEqual([(data as { userId: string }).userId]);

    const done = await waitForProcess(stack, 'onboard-200009');
    expect(done.body).toMatchObject({
      status: 'COMPLETED',
      result: { userId: (data as { userId: string }).userId },
    });
    expect(stack.outbox('sms').filter((m) => m.to === '+254700200009')).toHaveLength(1);
    // The same request again replays the run (its outcome now), never a second user.
    const again = await open(body, { Prefer: 'milestone=user-created' });
    expect(again.response.status).toBe(201);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(await ibUsers('200009')).toHaveLength(1);
  });

  it('answers at the milestone also for a customer whose earlier onboarding failed', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200010',
      firstName: 'Second',
      lastName: 'Attempt',
      phone: '+254700200010',
      email: 'second@example.com',
      products: ['SAV-200010'],
    });
    const body = { customerId: '200010', channel: 'MOBILE' as const, acceptedDisclosures: disclosures };
    const failed = await open({ ...body, requestId: 'e2e-milestone-0010a', phone: '+254799999998' });
    expect([failed.response.status, failed.error?.code]).toEqual([422, 'PHONE_MISMATCH']);
    const { data, response } = await open(
      { ...body, requestId: 'e2e-milestone-0010b' },
      { Prefer: 'milestone=user-created' },
    );
    expect(response.status).toBe(202);
    expect(data).toMatchObject({ processId: 'onboard-200010', status: 'USER_CREATED' });
    expect((await waitForProcess(stack, 'onboard-200010')).body.status).toBe('COMPLETED');
  });

  it('a replayed milestone request answers the milestone as the first did while the run is in flight', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200011',
      firstName: 'Lost',
      lastName: 'Answer',
      phone: '+254700200011',
      email: 'lost-answer@example.com',
      products: ['SAV-200011'],
    });
    // The run stays in flight after its milestone: it waits for the checker.
    await admin('PUT', '/admin/faults', { pendingAuthorisation: true });
    const body = {
      requestId: 'e2e-milestone-0011',
      customerId: '200011',
      channel: 'BRANCH' as const,
      acceptedDisclosures: disclosures,
    };
    const first = await open(body, { Prefer: 'milestone=user-created' });
    await admin('DELETE', '/admin/faults');
    expect(first.response.status).toBe(202);
    expect(first.data).toMatchObject({ status: 'PENDING_AUTHORISATION', userId: expect.any(String) });
    // The client lost that answer and retries with the same key: the same milestone, no second user.
    const again = await open(body, { Prefer: 'milestone=user-created' });
    expect(again.response.status).toBe(202);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data).toEqual(first.data);
    expect(await ibUsers('200011')).toHaveLength(1);
    const [user] = await ibUsers('200011');
    await admin('POST', `/admin/ib-users/${user?.userId}/authorise`, { decision: 'APPROVE' });
    expect((await waitForProcess(stack, 'onboard-200011', 60_000)).body.status).toBe('COMPLETED');
  }, 90_000);

  it.each([
    ['CUSTOMER_NOT_FOUND', 404, '999998'],
    ['CUSTOMER_NOT_ELIGIBLE', 422, '100003'],
  ])(
    'answers a run that fails before the milestone with its refusal, %s (%i)',
    async (code, status, customerId) => {
      const { error, response } = await open(
        {
          requestId: `e2e-milestone-${code}`,
          customerId,
          channel: 'BRANCH',
          acceptedDisclosures: disclosures,
        },
        { Prefer: 'milestone=user-created' },
      );
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
      expect(error).toMatchObject({ code, processId: `onboard-${customerId}` });
    },
  );

  it('refuses a second onboarding for a customer while one is in flight', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '200002',
      firstName: 'Pending',
      lastName: 'Tester',
      phone: '+254700200002',
      email: 'pending@example.com',
      products: ['SAV-200002'],
    });
    await admin('PUT', '/admin/faults', { pendingAuthorisation: true });
    const first = await open(
      {
        requestId: 'e2e-pending-0001',
        customerId: '200002',
        channel: 'BRANCH',
        acceptedDisclosures: disclosures,
      },
      { Prefer: 'wait=2' },
    );
    await admin('DELETE', '/admin/faults');
    expect(first.response.status).toBe(202);
    const second = await open({
      requestId: 'e2e-pending-0002',
      customerId: '200002',
      channel: 'MOBILE',
      acceptedDisclosures: disclosures,
    });
    expect(second.response.status).toBe(409);
    expect(second.error?.code).toBe('ONBOARDING_IN_PROGRESS');
    const view = await processView('onboard-200002');
    expect(view.data).toMatchObject({ status: 'RUNNING', step: 'AWAIT_AUTHORISATION' });
    // The checker approves; the next poll (seconds to a minute of workflow time) picks it up.
    const [user] = await ibUsers('200002');
    await admin('POST', `/admin/ib-users/${user?.userId}/authorise`, { decision: 'APPROVE' });
    const done = await waitForProcess(stack, 'onboard-200002', 60_000);
    expect(done.body.status).toBe('COMPLETED');
  }, 90_000);

  it('refuses a channel the document does not list (the generated types refuse it too)', async () => {
    const before = await ibUsers('100005');
    const { error, response } = await open({
      requestId: 'e2e-invalid-0001',
      customerId: '100005',
      // @ts-expect-error the generated types know the channels: tsc fails if they stop refusing this
      channel: 'FAX',
      acceptedDisclosures: disclosures,
    });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path: 'channel' })],
    });
    expect(await ibUsers('100005')).toEqual(before);
  });

  it('opens several users for a business customer, one per employee, each linked to its customers; a retail one keeps one', async () => {
    await admin('POST', '/admin/customers', {
      customerId: '300001',
      firstName: 'Acme',
      lastName: 'Traders Ltd',
      phone: '+254700300001',
      products: ['CUR-300001'],
      type: 'BUSINESS',
      relatedCustomerIds: ['300002'],
    });
    await admin('POST', '/admin/customers', {
      customerId: '300002',
      firstName: 'Acme',
      lastName: 'Logistics Ltd',
      phone: '+254700300002',
      products: ['CUR-300002'],
      type: 'BUSINESS',
    });
    const employee = (ref: string, requestId: string, linked = ['300002']) =>
      open({
        requestId,
        customerId: '300001',
        channel: 'BRANCH',
        acceptedDisclosures: disclosures,
        userReference: ref,
        linkedCustomerIds: linked,
      });
    const first = await employee('emp-001', 'e2e-biz-0001');
    const second = await employee('emp-002', 'e2e-biz-0002');
    expect(first.response.status).toBe(201);
    expect(second.response.status).toBe(201);
    expect(first.data?.processId).toBe('onboard-300001.emp-001');
    expect(second.data?.processId).toBe('onboard-300001.emp-002');
    const users = (await admin('GET', '/admin/customers/300001')).body.ibUsers as Record<string, unknown>[];
    expect(users).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          userReference: 'emp-001',
          linkedCustomerIds: ['300002'],
          status: 'ACTIVE',
        }),
        expect.objectContaining({
          userReference: 'emp-002',
          linkedCustomerIds: ['300002'],
          status: 'ACTIVE',
        }),
      ]),
    );
    expect(new Set(users.map((u) => u.userId)).size).toBe(2);

    // One live user per employee.
    const again = await employee('emp-001', 'e2e-biz-0003');
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe('ALREADY_REGISTERED');
    // Only the customers core banking relates to the business: an unknown id, an unrelated
    // one, a repeated one and the business itself get one answer, which says nothing of
    // whether the id exists.
    const refused = [];
    for (const [i, linked] of [['399999'], ['100005'], ['300002', '300002'], ['300001']].entries()) {
      const { response, error } = await employee('emp-003', `e2e-biz-01${i}`, linked);
      // What differs per request by design (its id, its process) is left out of the comparison.
      const {
        instance: _i,
        requestId: _r,
        processId: _p,
        ...same
      } = (error ?? {}) as Record<string, unknown>;
      refused.push({ status: response.status, error: same });
    }
    expect(refused[0]).toEqual({
      status: 422,
      error: expect.objectContaining({ code: 'LINKED_CUSTOMER_NOT_RELATED' }),
    });
    for (const r of refused) expect(r).toEqual(refused[0]);
    expect(JSON.stringify(refused)).not.toMatch(/399999|100005/);
    expect(await ibUsers('100005')).toEqual([]);
    expect(
      ((await admin('GET', '/admin/customers/300001')).body.ibUsers as { userReference: string }[]).some(
        (u) => u.userReference === 'emp-003',
      ),
    ).toBe(false);
    // A retail customer has one user: no employee references.
    const retail = await open({
      requestId: 'e2e-biz-0005',
      customerId: '100005',
      channel: 'BRANCH',
      acceptedDisclosures: disclosures,
      userReference: 'emp-001',
    });
    expect(retail.response.status).toBe(422);
    expect(retail.error).toMatchObject({ code: 'CUSTOMER_NOT_ELIGIBLE', reason: 'NOT_A_BUSINESS_CUSTOMER' });
    expect(await ibUsers('100005')).toEqual([]);
  });
});

import { responseValidator } from '../helpers/openapi';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/** Real responses, success and error, checked against the OpenAPI document's schemas. */
describe('responses match the OpenAPI document', () => {
  let stack: Stack;
  let token: string;
  const validate = responseValidator();
  const checked: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Calls the API and validates the answer against `docPath` (OpenAPI template). */
  async function expectDocumented(method: string, url: string, docPath: string, body?: unknown, auth = true) {
    const res = await call(stack.apiUrl, method, url, { token: auth ? token : undefined, body });
    expect({ [`${method} ${url} ${res.status}`]: validate(method, docPath, res.status, res.body) }).toEqual({
      [`${method} ${url} ${res.status}`]: [],
    });
    checked.push(`${method} ${docPath} ${res.status}`);
    return res;
  }

  it('onboarding, processes, MFA, phone and contact-info responses validate', async () => {
    const opened = await expectDocumented('POST', '/open-user-ib', '/open-user-ib', {
      requestId: 'oas-open-0001',
      customerId: '100001',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    expect(opened.status).toBe(201);
    const userId = opened.body.userId as string;
    await expectDocumented('POST', '/open-user-ib', '/open-user-ib', {
      requestId: 'oas-open-0002',
      customerId: '999999',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    await expectDocumented('POST', '/open-user-ib', '/open-user-ib', {
      customerId: '100001',
      channel: 'FAX',
    });
    await expectDocumented('GET', '/processes/onboard-100001', '/processes/{processId}');
    await expectDocumented('GET', '/processes/onboard-100001', '/processes/{processId}', undefined, false);

    const newPhone = '+254711600001';
    const created = await expectDocumented('POST', '/mfa/challenges', '/mfa/challenges', {
      purpose: 'UPDATE_PHONE',
      userId,
      phone: newPhone,
    });
    const { serviceKey, securityKey } = created.body as { serviceKey: string; securityKey: string };
    const code = /(\d{6}) is your verification code/.exec(
      String(
        stack
          .outbox('sms')
          .filter((m) => m.to === newPhone)
          .at(-1)?.body,
      ),
    )?.[1];
    await expectDocumented('GET', `/mfa/challenges/${serviceKey}`, '/mfa/challenges/{serviceKey}');
    await expectDocumented(
      'POST',
      `/mfa/challenges/${serviceKey}/verify`,
      '/mfa/challenges/{serviceKey}/verify',
      {
        securityKey,
        otp: code === '000000' ? '000001' : '000000',
      },
    );
    await expectDocumented(
      'POST',
      `/mfa/challenges/${serviceKey}/verify`,
      '/mfa/challenges/{serviceKey}/verify',
      { securityKey, otp: code },
    );
    const noStepUp = await expectDocumented('POST', '/update-user-ib', '/update-user-ib', {
      requestId: 'oas-phone-0000',
      userId,
      newPhone,
      mfa: { serviceKey, securityKey },
    });
    expect(noStepUp.body.code).toBe('STEP_UP_REQUIRED');
    const onFile = '+254700100001';
    const step = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'STEP_UP', userId },
    });
    const stepUp = {
      serviceKey: step.body.serviceKey as string,
      securityKey: step.body.securityKey as string,
    };
    const stepCode = /(\d{6}) is your verification code/.exec(
      String(
        stack
          .outbox('sms')
          .filter((m) => m.to === onFile)
          .at(-1)?.body,
      ),
    )?.[1];
    await call(stack.apiUrl, 'POST', `/mfa/challenges/${stepUp.serviceKey}/verify`, {
      token,
      body: { securityKey: stepUp.securityKey, otp: stepCode },
    });
    const updated = await expectDocumented('POST', '/update-user-ib', '/update-user-ib', {
      requestId: 'oas-phone-0001',
      userId,
      newPhone,
      mfa: { serviceKey, securityKey },
      stepUp,
    });
    expect(updated.status).toBe(201);
    await waitForProcess(stack, `phone-${userId}`);
    // No cooling-off configured: nothing to cancel.
    const late = await expectDocumented(
      'POST',
      `/update-user-ib/phone-${userId}/cancel`,
      '/update-user-ib/{processId}/cancel',
    );
    expect(late.body.code).toBe('NOT_CANCELLABLE');
    await expectDocumented('PUT', '/customers/100001/contact-info', '/customers/{customerId}/contact-info', {
      email: { emailAddress: 'amina.oas@example.com' },
    });
    await expectDocumented('GET', '/healthz', '/healthz');
    await expectDocumented('GET', '/readyz', '/readyz');
    expect(checked).toHaveLength(15);
  }, 90_000);

  it('serves the document and a docs page that loads its assets', async () => {
    const doc = await (await fetch(`${stack.apiUrl}/openapi.json`)).json();
    expect(doc).toMatchObject({ openapi: '3.1.0' });
    const page = await (await fetch(`${stack.apiUrl}/docs`)).text();
    expect(page).toContain('/openapi.json');
    const asset = await fetch(`${stack.apiUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
  });
});

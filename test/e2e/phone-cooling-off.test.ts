import { mintDevToken } from '../../lib/dev-keys';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/**
 * PHONE_CHANGE_COOLING_OFF_MINUTES through HTTP: the change waits, cancellable, before
 * core banking; POST /update-user-ib/{processId}/cancel by its starter or bank staff.
 * (That the change goes through at the end of the window: test/workflows/update-user-phone.test.ts.)
 */
describe('phone change cooling-off window end to end', () => {
  let stack: Stack;
  let token: string;
  const user = 'IBU00100002'; // seeded for customer 100002
  const onFile = '+254700100002';

  beforeAll(async () => {
    stack = await startStack({ PHONE_CHANGE_COOLING_OFF_MINUTES: '10' });
    token = await stack.token('ib-users:write mfa:write mfa:any-user processes:read');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (method: string, url: string, body?: unknown, as = token, headers?: Record<string, string>) =>
    call(stack.apiUrl, method, url, { token: as, body, headers });
  const tokenOf = (subject: string, scopes: string) =>
    mintDevToken(stack.config, { subject, scopes: scopes.split(' ') });
  const esbPhone = async () =>
    (await call(stack.simulatorUrl, 'GET', '/esb/v1/customers/100002')).body.mobilePhone;
  const codeSentTo = (phone: string) =>
    /(\d{6}) is your verification code/.exec(
      String(
        stack
          .outbox('sms')
          .filter((m) => m.to === phone)
          .at(-1)?.body,
      ),
    )?.[1];

  async function verified(body: Record<string, unknown>, to: string) {
    const created = await api('POST', '/mfa/challenges', body);
    expect(created.status).toBe(201);
    const proof = {
      serviceKey: created.body.serviceKey as string,
      securityKey: created.body.securityKey as string,
    };
    const ok = await api('POST', `/mfa/challenges/${proof.serviceKey}/verify`, {
      securityKey: proof.securityKey,
      otp: codeSentTo(to),
    });
    expect(ok.body.status).toBe('VERIFIED');
    return proof;
  }

  /** Starts a change to `newPhone` and waits until it sits in its window. */
  async function changeInWindow(requestId: string, newPhone: string) {
    const stepUp = await verified({ purpose: 'STEP_UP', userId: user }, onFile);
    const mfa = await verified({ purpose: 'UPDATE_PHONE', userId: user, phone: newPhone }, newPhone);
    const res = await api(
      'POST',
      '/update-user-ib',
      { requestId, userId: user, newPhone, mfa, stepUp },
      token,
      {
        Prefer: 'wait=1',
      },
    );
    expect(res.status).toBe(202);
    const processId = res.body.processId as string;
    for (let i = 0; ; i++) {
      const view = await api('GET', `/processes/${processId}`);
      if (view.body.step === 'COOLING_OFF') break;
      if (i > 100) throw new Error(`never reached COOLING_OFF: ${JSON.stringify(view.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { processId, stepUp, mfa };
  }

  const challengeStatus = async (serviceKey: string) =>
    (await api('GET', `/mfa/challenges/${serviceKey}`)).body.status;

  it('the starter cancels in the window: core banking unchanged, both proofs stay consumed', async () => {
    const { processId, stepUp, mfa } = await changeInWindow('cool-0001', '+254711700002');
    expect(await esbPhone()).toBe(onFile);
    // The owner of the number on file is told, before anything changes.
    const smsOnFile = () => stack.outbox('sms').filter((m) => m.to === onFile);
    expect(String(smsOnFile().at(-1)?.body)).toMatch(
      /change of the mobile number .* was requested\. It takes effect in 10 minutes\. If this was not you/,
    );
    const toldBefore = smsOnFile().length;

    // Another channel's session (even one that may read every process) cannot cancel it.
    const otherChannel = await tokenOf('other-channel', 'ib-users:write processes:read-all');
    expect((await api('POST', `/update-user-ib/${processId}/cancel`, undefined, otherChannel)).status).toBe(
      404,
    );
    const opsOnly = await tokenOf('ops', 'processes:read-all');
    expect((await api('POST', `/update-user-ib/${processId}/cancel`, undefined, opsOnly)).status).toBe(403);
    expect((await api('POST', '/update-user-ib/onboard-100002/cancel')).status).toBe(404);

    const cancelled = await api('POST', `/update-user-ib/${processId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ processId, status: 'CANCELLED' });

    const done = await waitForProcess(stack, processId, 30_000);
    expect(done.body).toMatchObject({ status: 'FAILED', error: { code: 'PHONE_CHANGE_CANCELLED' } });
    const steps = (done.body.auditTrail as { step: string; status: string }[]).map(
      (e) => `${e.step}:${e.status}`,
    );
    expect(steps).toContain('COOLING_OFF:FAILED');
    expect(steps).not.toContain('UPDATE_CORE_BANKING:STARTED');
    expect(await esbPhone()).toBe(onFile);
    expect(smsOnFile()).toHaveLength(toldBefore); // no "was changed" notice
    expect(await challengeStatus(mfa.serviceKey)).toBe('CONSUMED');
    expect(await challengeStatus(stepUp.serviceKey)).toBe('CONSUMED');

    const again = await api('POST', `/update-user-ib/${processId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NOT_CANCELLABLE');
  }, 120_000);

  it('bank staff (institution-users:write) can cancel a change they did not start', async () => {
    const { processId } = await changeInWindow('cool-0002', '+254711700003');
    const staff = await tokenOf('bank-staff-7', 'institution-users:write');
    const cancelled = await api('POST', `/update-user-ib/${processId}/cancel`, undefined, staff);
    expect(cancelled.status).toBe(200);
    const done = await waitForProcess(stack, processId, 30_000);
    expect(done.body).toMatchObject({ status: 'FAILED', error: { code: 'PHONE_CHANGE_CANCELLED' } });
    expect(await esbPhone()).toBe(onFile);
  }, 120_000);
});

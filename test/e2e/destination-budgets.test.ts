import { addSimulatorCustomer } from '../../simulator/admin-client';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * Destination quotas that an attacker cannot turn against a user: pre-login codes to a
 * number have a budget of their own, and one destination over its quota leaves the user's
 * other destination working. MFA_DESTINATION_MAX_PER_WINDOW is 2 here.
 */
describe('destination budgets', () => {
  let stack: Stack;
  let channel: string;
  let prelogin: string;
  const sentTo = (to: string) => stack.outbox('sms').filter((m) => m.to === to);
  const emailsTo = (to: string) => stack.outbox('email').filter((m) => m.to === to);

  async function newUser(customerId: string, phone: string, email?: string): Promise<string> {
    await addSimulatorCustomer(stack.simulatorUrl, {
      customerId,
      firstName: 'Test',
      lastName: customerId,
      phone,
      ...(email && { email }),
      products: [`SAV-${customerId}`],
    });
    const user = await call(stack.simulatorUrl, 'POST', '/esb/v1/ib-users', {
      body: {
        businessKey: `budget-${customerId}`,
        customerId,
        username: `user.${customerId}`,
        channel: 'MB',
        acceptedDisclosures: [],
      },
    });
    return user.body.userId as string;
  }
  const login = (userId: string) =>
    call(stack.apiUrl, 'POST', '/mfa/challenges', { token: channel, body: { purpose: 'LOGIN', userId } });

  beforeAll(async () => {
    stack = await startStack({ MFA_DESTINATION_MAX_PER_WINDOW: '2', MFA_DESTINATION_WINDOW_MINUTES: '10' });
    channel = await stack.token('mfa:write mfa:any-user');
    prelogin = await stack.token('mfa:prelogin');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("does not let pre-login codes to a user's number spend the codes the user needs to log in", async () => {
    const phone = '+254711700001';
    const userId = await newUser('700001', phone);
    const pump = () =>
      call(stack.apiUrl, 'POST', '/mfa/challenges', {
        token: prelogin,
        body: { purpose: 'ONBOARDING', phone },
      });
    expect((await pump()).status).toBe(201);
    expect((await pump()).status).toBe(201);
    const third = await pump();
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'DESTINATION_RATE_LIMITED' });

    const res = await login(userId);
    expect(res.status).toBe(201);
    expect(sentTo(phone)).toHaveLength(3);
  });

  it("still sends to a user's email while the phone is over its quota", async () => {
    const phone = '+254711700002';
    // Another user on the same number spends that number's quota.
    const other = await newUser('700002', phone);
    expect((await login(other)).status).toBe(201);
    expect((await login(other)).status).toBe(201);
    expect((await login(other)).body).toMatchObject({ status: 429, code: 'DESTINATION_RATE_LIMITED' });

    const userId = await newUser('700003', phone, 'user.700003@example.com');
    const res = await login(userId);
    expect(res.status).toBe(201);
    expect(sentTo(phone)).toHaveLength(2); // nothing more to the number over quota
    expect(emailsTo('user.700003@example.com')).toHaveLength(1);
  });
});

import { call, startStack, type Stack } from '../helpers/stack';

/**
 * Candescent's own shapes through HTTP, the real worker and the simulator: Update Contact
 * Info (GET verifies the customer, PUT takes exactly the seed's combinations, the notice
 * names what changed) and the TransactionId echo.
 */
describe('Candescent seed shapes end to end', () => {
  let stack: Stack;
  let writer: string;

  beforeAll(async () => {
    stack = await startStack();
    writer = await stack.token('institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const smsTo = (to: string) => stack.outbox('sms').filter((m) => m.to === to);

  it('echoes TransactionId as TransactionId, besides X-Request-Id', async () => {
    const res = await call(stack.apiUrl, 'GET', '/customers/100001/contact-info', {
      token: writer,
      headers: { TransactionId: 'seed-tx-0001' },
    });
    expect(res.headers.get('transactionid')).toBe('seed-tx-0001');
    expect(res.headers.get('x-request-id')).toBe('seed-tx-0001');
    // Without one, none is invented under that name.
    const plain = await call(stack.apiUrl, 'GET', '/healthz');
    expect(plain.headers.get('transactionid')).toBeNull();
    expect(plain.headers.get('x-request-id')).toBeTruthy();
  });

  it('GET contact-info verifies that the customer exists and shows its contacts masked', async () => {
    const reader = await stack.token('institution-users:read');
    const res = await call(stack.apiUrl, 'GET', '/customers/100001/contact-info', { token: reader });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customerId: '100001',
      phoneNumber: '+254••••••001',
      emailAddress: 'a••••••••••••@example.com',
      postalAddress: null,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/700100001|amina\.wanjiru/);
    // The write scope reads too; a token with neither does not.
    expect(
      (await call(stack.apiUrl, 'GET', '/customers/100001/contact-info', { token: writer })).status,
    ).toBe(200);
    const other = await stack.token('processes:read');
    expect((await call(stack.apiUrl, 'GET', '/customers/100001/contact-info', { token: other })).status).toBe(
      403,
    );
    const missing = await call(stack.apiUrl, 'GET', '/customers/999999/contact-info', { token: reader });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('CUSTOMER_NOT_FOUND');
  }, 60_000);

  it('PUT takes a postal address alone, an email alone, or a phone with an address, and the notice names what changed', async () => {
    const put = (body: unknown) =>
      call(stack.apiUrl, 'PUT', '/customers/100005/contact-info', { token: writer, body });
    const address = { line1: '12 Kenyatta Avenue', city: 'Nairobi', postalCode: '00100', country: 'KE' };

    // Not a combination the seed lists: nothing starts.
    expect((await put({ phoneNumber: { newPhoneNumber: '+254711500005' } })).status).toBe(400);
    expect((await put({ email: { emailAddress: 'x@example.com' }, postalAddress: address })).status).toBe(
      400,
    );

    const onFile = '+254700100005';
    const before = smsTo(onFile).length;
    const alone = await put({ userIdType: 'CUSTOMER_ID', postalAddress: address });
    expect(alone.status).toBe(200);
    expect(alone.body).toMatchObject({ status: 'COMPLETED', changed: ['postalAddress'] });
    const notice = smsTo(onFile).slice(before);
    expect(notice).toHaveLength(1);
    expect(String(notice[0]?.body)).toContain('the postal address on your internet & mobile banking profile');

    const read = await call(stack.apiUrl, 'GET', '/customers/100005/contact-info', { token: writer });
    expect(read.body.postalAddress).toEqual({
      address1: expect.stringMatching(/^12 •+$/),
      city: 'Nairobi',
      country: 'KE',
    });

    const both = await put({
      userIdType: 'CUSTOMER_ID',
      phoneNumber: { newPhoneNumber: '+254711500005' },
      postalAddress: { ...address, line1: '14 Kenyatta Avenue' },
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ changed: ['phone', 'postalAddress'] });
    expect(String(smsTo(onFile).at(-1)?.body)).toContain('mobile number and postal address');
    expect(String(smsTo('+254711500005').at(-1)?.body)).toContain('mobile number and postal address');
  }, 90_000);
});

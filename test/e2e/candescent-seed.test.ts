import { mintDevToken } from '../../lib/dev-keys';
import { registrationKeys } from '../../lib/registration-crypto';
import { loadServerKey } from '../../lib/server-key';
import { registrationProcessId } from '../../messages/registration';
import { decodedHistoryText } from '../helpers/history';
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
    stack = await startStack({
      // A bank requiring the seed's stronger factors besides name and date of birth.
      REGISTRATION_IDENTITY_FACTORS: 'FULL_NATIONAL_ID,POSTAL_ADDRESS,MOTHERS_MAIDEN_NAME',
    });
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

    // The seed's literal body: national number with its country code (as numbers too), address1/address2/state.
    const seedBody = await put({
      userIdType: 'CUSTOMER_ID',
      phoneNumber: {
        oldPhoneNumber: '711500005',
        oldCountryCode: '254',
        newPhoneNumber: 711500006,
        newCountryCode: '254',
      },
      postalAddress: {
        address1: '3 Harambee Avenue',
        address2: 'Block B',
        city: 'Nairobi',
        state: 'Nairobi County',
        postalCode: 100,
        country: 'KE',
      },
    });
    expect(seedBody.status).toBe(200);
    expect(seedBody.body).toMatchObject({ changed: ['phone', 'postalAddress'], phone: '+254••••••006' });
    const onRecord = (await call(stack.simulatorUrl, 'GET', '/admin/customers/100005')).body;
    expect(onRecord).toMatchObject({
      mobilePhone: '+254711500006',
      postalAddress: {
        line1: '3 Harambee Avenue',
        line2: 'Block B',
        city: 'Nairobi',
        state: 'Nairobi County',
        postalCode: '100',
        country: 'KE',
      },
    });
  }, 90_000);

  it("registers with the seed's data under any valid token: every factor matched, none of it in clear in history or logs", async () => {
    // A customer whose record holds every factor the seed asks for.
    await call(stack.simulatorUrl, 'POST', '/admin/customers', {
      body: {
        customerId: '600001',
        firstName: 'Wanjiku',
        lastName: 'Kamau',
        phone: '+254700600001',
        email: 'wanjiku.kamau@example.com',
        products: ['SAV-600001'],
        dateOfBirth: '1988-02-14',
        nationalId: '318406221',
        mothersMaidenName: 'Nyambura',
        postalAddress: { line1: '7 Moi Avenue', city: 'Nairobi', postalCode: '00200', country: 'KE' },
      },
    });
    const identity = {
      firstName: 'Wanjiku',
      lastName: 'Kamau',
      socialSecurityNumber: '318406221',
      dateOfBirth: '1988-02-14',
      postalAddress: {
        street: '7 Moi Avenue',
        city: 'Nairobi',
        state: 'Nairobi',
        zipCode: '00200',
        country: 'KE',
      },
      phoneNumber: '+254700600001',
      emailAddress: 'wanjiku.kamau@example.com',
      mothersMaidenName: 'Nyambura',
    };
    // No special scope: any valid token of the bank's issuer.
    const subject = 'seed-registration-app';
    const token = await mintDevToken(stack.config, { scopes: ['processes:read'], subject });
    const register = (requestId: string, id: Record<string, unknown>) =>
      call(stack.apiUrl, 'POST', '/registrations', {
        token,
        body: {
          requestId,
          identity: id,
          username: 'wanjiku.kamau',
          password: 'copper-meadow-lantern-77',
          acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
        },
      });

    // A factor the bank requires is missing: 400 naming it, nothing started.
    const { mothersMaidenName: _m, ...withoutMaiden } = identity;
    const missing = await register('seed-reg-missing', withoutMaiden);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.errors)).toContain('identity.mothersMaidenName');

    // A malformed factor: 400 naming the field, never echoing the value.
    const malformed = await register('seed-reg-malformed', {
      ...identity,
      socialSecurityNumber: '318-40-6221',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('identity.socialSecurityNumber');
    expect(JSON.stringify(malformed.body)).not.toContain('318-40');

    // Every other factor right, the maiden name wrong: no match, nothing sent.
    const wrong = await register('seed-reg-wrong', { ...identity, mothersMaidenName: 'Wambui' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(smsTo('+254700600001')).toHaveLength(0);

    const ok = await register('seed-reg-ok', identity);
    expect(ok.status).toBe(202);
    expect(ok.body.status).toBe('CODE_SENT');
    const code = /(\d{6}) is your verification code/.exec(String(smsTo('+254700600001')[0]?.body))?.[1];
    const done = await call(stack.apiUrl, 'POST', `/registrations/${String(ok.body.registrationId)}/verify`, {
      token,
      body: { securityKey: ok.body.securityKey, otp: code },
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ status: 'COMPLETED', username: 'wanjiku.kamau' });

    // Sealed or digested before any workflow: the decoded histories (what the codec's holders
    // see) and the logs hold none of the typed values.
    const wrongRun = registrationProcessId(
      registrationKeys(loadServerKey({ keysDir: stack.config.keysDir }), subject, 'seed-reg-wrong')
        .registrationId,
    );
    const histories = await Promise.all(
      [String(ok.body.processId), wrongRun, `mfa-${String(ok.body.serviceKey)}`].map(async (id) =>
        decodedHistoryText(stack.codec, await stack.client.workflow.getHandle(id).fetchHistory()),
      ),
    );
    // The histories are real (the runs exist and carry their sealed identity).
    expect(histories.every((h) => h.length > 1000)).toBe(true);
    const clear = [
      '318-40',
      '318406221',
      'Nyambura',
      'Wambui',
      'Moi Avenue',
      'wanjiku.kamau@example.com',
      '700600001',
      '1988-02-14',
      'copper-meadow',
    ];
    for (const text of [...histories, stack.logs.join('\n')]) {
      for (const value of clear)
        expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
  }, 90_000);
});

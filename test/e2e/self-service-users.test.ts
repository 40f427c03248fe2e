import { CLIENTS, REALM, keycloakServiceEnv } from '../../scripts/launcher/keycloak';
import { decodedHistoryText } from '../helpers/history';
import { appLogin, startKeycloak, type TestKeycloak } from '../helpers/keycloak';
import { responseValidator } from '../helpers/openapi';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * MBanq's self-service users end to end: a bank admin (the ops client's
 * self-service-users:write) creates a business's API user through POST /v1/users; the
 * user's login lives in a real Keycloak started by this suite, which issues its token by
 * the password grant; the API lets that token act only for the user's linked clients.
 */
describe('MBanq self-service users, end to end', () => {
  let kc: TestKeycloak;
  let stack: Stack;
  let admin: string;
  let channel: string;

  const BUSINESS = '420001';
  const LINKED = ['420002', '420003'];
  const THIRD = '420004';
  const BUSINESS_PHONE = '+254700420001';

  beforeAll(async () => {
    kc = await startKeycloak();
    stack = await startStack(keycloakServiceEnv(kc));
    admin = await kc.clientToken('ops');
    channel = await kc.clientToken('channel');
    const customer = (customerId: string, extra: Record<string, unknown> = {}) =>
      sim('POST', '/admin/customers', {
        customerId,
        firstName: 'Acme',
        lastName: `Client${customerId}`,
        phone: `+254700${customerId}`,
        email: `c${customerId}@example.com`,
        products: [`CUR-${customerId}`],
        ...extra,
      });
    for (const id of [...LINKED, THIRD]) expect((await customer(id)).status).toBe(201);
    expect(
      (await customer(BUSINESS, { type: 'BUSINESS', relatedCustomerIds: LINKED, phone: BUSINESS_PHONE }))
        .status,
    ).toBe(201);
  }, 480_000);
  afterAll(async () => {
    await stack?.stop();
    await kc?.stop();
  });

  const api = (method: string, url: string, body?: unknown, as = admin, headers?: Record<string, string>) =>
    call(stack.apiUrl, method, url, { token: as, body, headers });
  const validate = responseValidator();
  /** The answer matches the OpenAPI document's schema for its status. */
  const documented = (method: string, docPath: string, res: { status: number; body: unknown }) =>
    expect(validate(method, docPath, res.status, res.body)).toEqual([]);
  const sim = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const passwordIn = (text: unknown) => /first-time password is (\S+?)\.?(\s|$)/.exec(String(text))?.[1];
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  /** The seed's `/oauth/token` flow: the password grant at Keycloak's token endpoint, the realm as tenant. */
  async function passwordGrant(username: string, password: string, clientId: string = CLIENTS.selfService) {
    const res = await fetch(kc.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username, password }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    return { status: res.status, ...body };
  }

  /** The logins Keycloak holds under this username (as the worker's admin client sees them). */
  async function keycloakUsers(username: string): Promise<unknown[]> {
    const token = await fetch(kc.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENTS.admin,
        client_secret: kc.secrets.admin,
      }),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const res = await fetch(
      `${kc.url}/admin/realms/${REALM}/users?${new URLSearchParams({ username, exact: 'true' })}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    return (await res.json()) as unknown[];
  }
  const coreBankingUsers = async (customerId: string) =>
    (
      (await sim('GET', `/esb/v1/ib-users?customerId=${customerId}`)).body as {
        items: { username: string; status: string; linkedCustomerIds: string[] }[];
      }
    ).items;
  const usersNamed = async (username: string) =>
    (await coreBankingUsers(BUSINESS)).filter((u) => u.username === username);

  let n = 0;
  const newUser = (o: Record<string, unknown> = {}) => {
    const i = String(++n).padStart(2, '0');
    return {
      requestId: `ssu-create-${i}-${Date.now()}`,
      username: `erp.acme${i}`,
      firstname: 'Erp',
      lastname: `Robot${i}`,
      email: `erp${i}@acme.example`,
      officeId: 1,
      roles: ['self-service-contact-info'],
      isSelfServiceUser: true,
      clients: [BUSINESS, ...LINKED],
      ...o,
    };
  };

  let user: { userId: string; username: string; token: string; password: string };
  let otherUserId: string;

  it('an admin creates a self-service user for a business with two linked clients; the user must change the temporary password, then gets its own token by the password grant', async () => {
    const password = 'Erp-initial-pass-2026';
    const body = newUser({ password, repeatPassword: password, resetPasswordAfterFirstLogin: true });
    const created = await api('POST', '/v1/users', body);
    expect(created.status).toBe(201);
    documented('POST', '/v1/users', created);
    expect(created.body).toMatchObject({
      status: 'COMPLETED',
      username: body.username,
      businessCustomerId: BUSINESS,
      clients: [BUSINESS, ...LINKED],
      isSelfServiceUser: true,
      resetPasswordAfterFirstLogin: true,
    });
    const userId = created.body.userId as string;
    // Core banking holds it as the business's self-service user, linked to the two clients.
    expect(await usersNamed(body.username)).toEqual([
      expect.objectContaining({ status: 'ACTIVE', linkedCustomerIds: LINKED }),
    ]);

    // resetPasswordAfterFirstLogin: the password grant refuses until the password is changed.
    const early = await passwordGrant(body.username, password);
    expect(early).toMatchObject({ status: 400, error: 'invalid_grant' });
    const chosen = 'Erp-chosen-pass-2026-x';
    expect((await appLogin(kc, body.username, password, chosen, CLIENTS.selfService)).outcome).toBe('TOKEN');
    const granted = await passwordGrant(body.username, chosen);
    expect(granted.status).toBe(200);
    const claims = claimsOf(granted.access_token!);
    expect(claims).toMatchObject({ ib_user_id: userId, clients: [BUSINESS, ...LINKED] });
    expect(String(claims.scope).split(' ')).toContain('self-service:contact-info');
    expect([claims.aud].flat()).toContain('ibmb-api');
    user = { userId, username: body.username, token: granted.access_token!, password: chosen };

    // The admin's password is in neither the creation's history (decoded) nor the logs.
    const history = await decodedHistoryText(
      stack.codec,
      await stack.client.workflow.getHandle(`ssuser-${body.username}`).fetchHistory(),
    );
    expect(history).not.toContain(password);
    expect(stack.logs.join('\n')).not.toContain(password);
  }, 240_000);

  it("the user updates a linked client's contact info and reads that process; a third customer and other users' routes are refused", async () => {
    const own = await api(
      'PUT',
      `/customers/${LINKED[0]}/contact-info`,
      { email: { emailAddress: 'treasury@client-two.example' } },
      user.token,
      { 'idempotency-key': `ssu-contact-${Date.now()}` },
    );
    expect(own.status).toBe(200);
    expect(((await sim('GET', `/admin/customers/${LINKED[0]}`)).body as { email: string }).email).toBe(
      'treasury@client-two.example',
    );
    // The process it started is its to read.
    expect((await api('GET', `/processes/contact-${LINKED[0]}`, undefined, user.token)).status).toBe(200);

    // A third customer, known to core banking but not linked: 403, and nothing changes.
    const third = await api(
      'PUT',
      `/customers/${THIRD}/contact-info`,
      { email: { emailAddress: 'attacker@evil.example' } },
      user.token,
    );
    expect(third.status).toBe(403);
    expect(third.body).toMatchObject({ code: 'CUSTOMER_NOT_LINKED' });
    documented('PUT', '/customers/{customerId}/contact-info', third);
    // An unknown one gets the very same answer.
    const unknown = await api(
      'PUT',
      `/customers/999999/contact-info`,
      { email: { emailAddress: 'attacker@evil.example' } },
      user.token,
    );
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({
      status: 403,
      code: 'CUSTOMER_NOT_LINKED',
    });
    expect(((await sim('GET', `/admin/customers/${THIRD}`)).body as { email: string }).email).toBe(
      `c${THIRD}@example.com`,
    );
    expect((await api('GET', `/processes/contact-${THIRD}`, undefined, user.token)).status).toBe(404);

    // Routes for other users and the admin's own: refused by scope.
    const other = (await coreBankingUsers(BUSINESS)).length; // any user id will do: none is this token's
    expect(other).toBeGreaterThan(0);
    for (const [method, url, body] of [
      ['POST', '/v1/users', newUser()],
      ['POST', '/mfa/challenges', { purpose: 'LOGIN', userId: 'U-someone-else' }],
      ['POST', `/users/${user.userId}/close`, { requestId: 'ssu-close-self-1', reason: 'x' }],
      ['POST', '/open-user-ib', { customerId: THIRD, channel: 'MOBILE', requestId: 'ssu-open-third' }],
    ] as const) {
      expect([method, url, (await api(method, url, body, user.token)).status]).toEqual([method, url, 403]);
    }
    // The admin's creation process was not started by this user: it does not exist for it.
    expect((await api('GET', `/processes/ssuser-${user.username}`, undefined, user.token)).status).toBe(404);
  }, 240_000);

  it("only self-service users' tokens are honoured: the same user through the mobile app, or a retail customer through the self-service client, is refused", async () => {
    // The self-service user's token from another client carries no self-service scope.
    const viaApp = await appLogin(kc, user.username, user.password);
    expect(viaApp.outcome).toBe('TOKEN');
    const appToken = (viaApp as { accessToken: string }).accessToken;
    const put = (token: string) =>
      api('PUT', `/customers/${LINKED[1]}/contact-info`, { email: { emailAddress: 'x@y.example' } }, token);
    expect((await put(appToken)).status).toBe(403);

    // A retail IB user logging in at the self-service client gets no token the API accepts.
    expect(
      (
        await sim('POST', '/admin/customers', {
          customerId: '420009',
          firstName: 'Retail',
          lastName: 'Person',
          phone: '+254700420009',
          email: 'retail@example.com',
          products: ['SAV-420009'],
        })
      ).status,
    ).toBe(201);
    const opened = await api(
      'POST',
      '/open-user-ib',
      {
        requestId: 'ssu-retail-420009',
        customerId: '420009',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
      channel,
    );
    expect(opened.status).toBe(201);
    const sms = stack.outbox('sms').filter((m) => m.to === '+254700420009');
    const first = passwordIn(sms.at(-1)?.body) as string;
    const chosen = 'Retail-chosen-pass-99';
    expect((await appLogin(kc, opened.body.username as string, first, chosen)).outcome).toBe('TOKEN');
    const retail = await passwordGrant(opened.body.username as string, chosen);
    if (retail.status === 200) {
      expect(claimsOf(retail.access_token!)).not.toHaveProperty('clients');
      expect((await put(retail.access_token!)).status).toBe(401);
    } else {
      expect(retail.status).toBe(400);
    }
  }, 240_000);

  it('sendPasswordToEmail delivers the generated password to the email and not by SMS; without it the SMS goes to the business', async () => {
    const smsBefore = stack.outbox('sms').filter((m) => m.to === BUSINESS_PHONE).length;
    const body = newUser({ sendPasswordToEmail: true });
    const created = await api('POST', '/v1/users', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ passwordDelivery: { channel: 'EMAIL', status: 'SENT' } });
    otherUserId = created.body.userId as string;
    const mails = stack.outbox('email').filter((m) => m.to === body.email);
    expect(mails).toHaveLength(1);
    const generated = passwordIn(mails[0]!.text) as string;
    expect(generated).toBeDefined();
    expect(stack.outbox('sms').filter((m) => m.to === BUSINESS_PHONE)).toHaveLength(smsBefore);
    expect(JSON.stringify(stack.outbox('sms'))).not.toContain(generated);
    // The generated password is in no history (sealed) and no log line.
    const history = await decodedHistoryText(
      stack.codec,
      await stack.client.workflow.getHandle(`ssuser-${body.username}`).fetchHistory(),
    );
    expect(history).not.toContain(generated);
    expect(stack.logs.join('\n')).not.toContain(generated);
    // A password that travelled is always changed at the first login.
    expect((await passwordGrant(body.username, generated)).status).toBe(400);
    expect(
      (await appLogin(kc, body.username, generated, 'Erp-after-email-2026', CLIENTS.selfService)).outcome,
    ).toBe('TOKEN');
    expect((await passwordGrant(body.username, 'Erp-after-email-2026')).status).toBe(200);

    const bySms = newUser();
    expect((await api('POST', '/v1/users', bySms)).body).toMatchObject({
      passwordDelivery: { channel: 'SMS', status: 'SENT' },
    });
    expect(stack.outbox('sms').filter((m) => m.to === BUSINESS_PHONE)).toHaveLength(smsBefore + 1);
    expect(stack.outbox('email').filter((m) => m.to === bySms.email)).toHaveLength(0);
  }, 240_000);

  it('a mismatched repeatPassword, an unrelated client and a weak password each get a clear 4xx and create nothing', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [
        { password: 'Erp-strong-pass-2026', repeatPassword: 'Erp-strong-pass-2027' },
        422,
        'PASSWORD_MISMATCH',
      ],
      [{ password: 'password1234', repeatPassword: 'password1234' }, 422, 'PASSWORD_POLICY'],
      [{ clients: [BUSINESS, LINKED[0], THIRD] }, 422, 'LINKED_CUSTOMER_NOT_RELATED'],
      // Unknown and unrelated look alike.
      [{ clients: [BUSINESS, '999999'] }, 422, 'LINKED_CUSTOMER_NOT_RELATED'],
    ];
    for (const [o, status, code] of cases) {
      const body = newUser(o);
      const res = await api('POST', '/v1/users', body);
      expect([body.username, res.status, res.body.code]).toEqual([body.username, status, code]);
      documented('POST', '/v1/users', res);
      expect(await usersNamed(body.username)).toEqual([]);
      expect(await keycloakUsers(body.username)).toEqual([]);
    }
    expect(stack.outbox('email').filter((m) => String(m.to).endsWith('@acme.example'))).toHaveLength(1);
  }, 240_000);

  it('a retry with the same key creates one user; the same username under another key is refused', async () => {
    const body = newUser({ sendPasswordToEmail: true });
    const first = await api('POST', '/v1/users', body);
    const again = await api('POST', '/v1/users', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.userId).toBe(first.body.userId);
    expect(await usersNamed(body.username)).toHaveLength(1);
    expect(await keycloakUsers(body.username)).toHaveLength(1);
    expect(stack.outbox('email').filter((m) => m.to === body.email)).toHaveLength(1);
    const other = await api('POST', '/v1/users', { ...body, requestId: `${body.requestId}-b` });
    expect(other.status).toBe(409);
    expect(await usersNamed(body.username)).toHaveLength(1);
  }, 240_000);

  it("the admin reads the user and replaces its clients and roles; the user's next token follows; a user reads only itself", async () => {
    const read = await api('GET', `/v1/users/${user.userId}`);
    documented('GET', '/v1/users/{userId}', read);
    expect(read.body).toEqual({
      userId: user.userId,
      username: user.username,
      businessCustomerId: BUSINESS,
      clients: [BUSINESS, ...LINKED],
      roles: ['self-service-contact-info'],
      officeId: 1,
      isSelfServiceUser: true,
      status: 'ACTIVE',
    });
    expect((await api('GET', `/v1/users/${user.userId}`, undefined, user.token)).status).toBe(200);
    expect((await api('GET', `/v1/users/${otherUserId}`, undefined, user.token)).status).toBe(403);
    expect((await api('PUT', `/v1/users/${user.userId}`, { roles: [] }, user.token)).status).toBe(403);

    // Not the business's relation (known or not): refused, nothing changes.
    const unrelated = await api('PUT', `/v1/users/${user.userId}`, {
      requestId: `ssu-put-bad-${user.userId}`,
      clients: [BUSINESS, THIRD],
    });
    expect([unrelated.status, unrelated.body.code]).toEqual([422, 'LINKED_CUSTOMER_NOT_RELATED']);

    const put = await api('PUT', `/v1/users/${user.userId}`, {
      requestId: `ssu-put-${user.userId}`,
      clients: [BUSINESS, LINKED[0]],
      roles: [],
    });
    expect(put.status).toBe(200);
    documented('PUT', '/v1/users/{userId}', put);
    documented('PUT', '/v1/users/{userId}', unrelated);
    expect(put.body).toMatchObject({ clients: [BUSINESS, LINKED[0]], roles: [] });
    expect((await usersNamed(user.username))[0]!.linkedCustomerIds).toEqual([LINKED[0]]);
    const next = await passwordGrant(user.username, user.password);
    const claims = claimsOf(next.access_token!);
    expect(claims.clients).toEqual([BUSINESS, LINKED[0]]);
    // Without the role the token has no contact-info scope: the API refuses it.
    expect(String(claims.scope).split(' ')).not.toContain('self-service:contact-info');
    const contact = await api(
      'PUT',
      `/customers/${LINKED[0]}/contact-info`,
      { email: { emailAddress: 'again@client-two.example' } },
      next.access_token,
    );
    expect(contact.status).toBe(403);
    user.token = next.access_token!;
  }, 240_000);

  it('closing the user through the lock/close process ends its password grant', async () => {
    const closed = await api('POST', `/users/${user.userId}/close`, {
      requestId: `ssu-close-${user.userId}`,
      reason: 'business offboarded its ERP',
    });
    expect(closed.status).toBe(200);
    expect((await passwordGrant(user.username, user.password)).status).toBe(400);
  }, 240_000);
});

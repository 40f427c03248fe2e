import { BusinessError, TransientError } from '../../adapters/errors';
import { createKeycloakIdentityProvider } from '../../adapters/identity-provider/keycloak';
import type { PasswordIssue } from '../../adapters/identity-provider/types';

/**
 * The keyed and conditional writes of the Keycloak adapter at the moments a real Keycloak
 * cannot be made to fail on cue: an answer lost after Keycloak acted, a crash between the
 * password and the issuance record, a racing creator. The Admin API here is an in-memory
 * stand-in of the few resources the adapter uses (the e2e suite runs the real one).
 */
interface User {
  id: string;
  username: string;
  enabled: boolean;
  attributes: Record<string, string[]>;
  requiredActions: string[];
  password: string | null;
  sessions: number;
}

function fakeKeycloak() {
  const users = new Map<string, User>();
  const calls: string[] = [];
  /** Every PUT /users/:id body, as sent. */
  const puts: Record<string, unknown>[] = [];
  /**
   * The next call of a kind ("METHOD /users/:id/..."): `lose-answer` acts, then the client
   * sees a network error; `crash` fails before acting; a number answers that HTTP status.
   */
  const faults = new Map<string, 'lose-answer' | 'crash' | number>();
  let seq = 0;
  const json = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (init?.signal?.aborted) throw init.signal.reason;
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    if (url.pathname.endsWith('/protocol/openid-connect/token'))
      return json(200, { access_token: 'admin-token', expires_in: 300 });
    const path = url.pathname.replace(/^\/admin\/realms\/ibmb/, '');
    const kind = `${method} ${path.replace(/\/users\/[^/]+/, '/users/:id').replace(/credentials\/.+$/, 'credentials/:c')}`;
    calls.push(kind);
    const fault = faults.get(kind);
    faults.delete(kind);
    if (fault === 'crash') throw new TypeError('fetch failed: connection reset');
    if (typeof fault === 'number')
      return json(fault, { error: fault === 400 ? 'invalidPasswordMinLengthMessage' : 'unknown_error' });
    const answer = ((): Response => {
      const user = users.get(path.split('/')[2] ?? '');
      if (kind === 'GET /users') {
        const [name, value] = (url.searchParams.get('q') ?? '').split(':');
        return json(
          200,
          [...users.values()]
            .filter((u) => u.attributes[name!]?.[0] === value)
            .map((u) => ({ ...u, password: undefined })),
        );
      }
      if (kind === 'POST /users') {
        if ([...users.values()].some((u) => u.username === body!.username))
          return json(409, { errorMessage: 'exists' });
        const id = `kc-${++seq}`;
        const cred = (body!.credentials as { value: string }[])[0]!;
        users.set(id, {
          id,
          username: body!.username as string,
          enabled: true,
          attributes: body!.attributes as Record<string, string[]>,
          requiredActions: body!.requiredActions as string[],
          password: cred.value,
          sessions: 0,
        });
        return json(201);
      }
      if (!user) return json(404);
      if (kind === 'PUT /users/:id/reset-password') {
        user.password = body!.value as string;
        // As Keycloak: a temporary password arms UPDATE_PASSWORD, a permanent one clears it.
        user.requiredActions = user.requiredActions.filter((a) => a !== 'UPDATE_PASSWORD');
        if (body!.temporary) user.requiredActions.push('UPDATE_PASSWORD');
        return json(204);
      }
      if (kind === 'PUT /users/:id') {
        puts.push(body!);
        // As Keycloak: attributes replaced whole; `enabled` and required actions only when sent.
        user.attributes = body!.attributes as Record<string, string[]>;
        if (body!.enabled !== undefined) user.enabled = body!.enabled as boolean;
        if (body!.requiredActions !== undefined) user.requiredActions = body!.requiredActions as string[];
        return json(204);
      }
      if (kind === 'GET /users/:id/credentials')
        return json(200, user.password ? [{ id: 'pw', type: 'password' }] : []);
      if (kind === 'DELETE /users/:id/credentials/:c') {
        user.password = null;
        return json(204);
      }
      if (kind === 'POST /users/:id/logout') {
        user.sessions = 0;
        return json(204);
      }
      return json(404);
    })();
    if (fault === 'lose-answer') throw new TypeError('fetch failed: socket hang up');
    return answer;
  };

  /** The customer logs in and changes the first-time password. */
  const customerChanges = (userId: string, chosen: string) => {
    const u = [...users.values()].find((x) => x.attributes.ibUserId?.[0] === userId)!;
    u.password = chosen;
    u.requiredActions = u.requiredActions.filter((a) => a !== 'UPDATE_PASSWORD');
    u.sessions = 1;
  };
  const loginOf = (userId: string) => [...users.values()].find((x) => x.attributes.ibUserId?.[0] === userId);

  return {
    users,
    calls,
    puts,
    faults,
    customerChanges,
    loginOf,
    idp: createKeycloakIdentityProvider({
      baseUrl: 'http://kc.test',
      realm: 'ibmb',
      clientId: 'ibmb-identity-admin',
      clientSecret: 'not-logged',
      timeoutMs: 1_000,
      fetch: fetch as typeof globalThis.fetch,
    }),
  };
}

const issue = (over: Partial<PasswordIssue> = {}): PasswordIssue => ({
  owner: { userId: 'IBU1', username: 'ibamina01', customerId: '100001', phone: '+254700100001' },
  password: 'first-Time-Pass-1',
  temporary: true,
  issuance: 'onboard-100001.IBU1.first-time-password',
  issuedAt: '2026-12-06T10:00:00.000Z',
  ...over,
});

describe('Keycloak adapter: keyed and conditional logins', () => {
  it('an answer lost after the user was created: the retry finds it and creates nothing more', async () => {
    const kc = fakeKeycloak();
    kc.faults.set('POST /users', 'lose-answer');
    await expect(kc.idp.issuePassword(issue())).rejects.toThrow(TransientError);
    expect(await kc.idp.issuePassword(issue())).toEqual({ set: false, created: false, current: true });
    expect(kc.users.size).toBe(1);
    expect(kc.loginOf('IBU1')).toMatchObject({
      username: 'ibamina01',
      password: 'first-Time-Pass-1',
      requiredActions: ['UPDATE_PASSWORD'],
      attributes: { ibUserId: ['IBU1'], customerId: ['100001'], phoneNumber: ['+254700100001'] },
    });
  });

  it('the same issuance after the customer changed the password leaves the chosen one (retry, ops reset)', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    kc.customerChanges('IBU1', 'my-own-choice');
    expect(await kc.idp.issuePassword(issue())).toEqual({ set: false, created: false, current: true });
    expect(kc.loginOf('IBU1')).toMatchObject({ password: 'my-own-choice', requiredActions: [] });
    expect(kc.calls.filter((c) => c.includes('reset-password'))).toEqual([]);
  });

  it('a crash between the new password and its issuance record sets the same password again, once', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    kc.customerChanges('IBU1', 'my-own-choice');
    const reset = issue({
      password: 'reset-Pass-2222',
      issuance: 'reset-IBU1.r1',
      issuedAt: '2026-12-07T09:00:00Z',
    });
    kc.faults.set('PUT /users/:id', 'crash');
    await expect(kc.idp.issuePassword(reset)).rejects.toThrow(TransientError);
    expect(kc.loginOf('IBU1')!.attributes.ibmbPasswordIssuance).toEqual([
      'onboard-100001.IBU1.first-time-password',
    ]);
    expect(await kc.idp.issuePassword(reset)).toEqual({ set: true, created: false, current: true });
    expect(await kc.idp.issuePassword(reset)).toEqual({ set: false, created: false, current: true });
    expect(kc.loginOf('IBU1')).toMatchObject({
      password: 'reset-Pass-2222',
      requiredActions: ['UPDATE_PASSWORD'],
      attributes: {
        ibmbPasswordIssuance: ['onboard-100001.IBU1.first-time-password', 'reset-IBU1.r1'],
        ibmbPasswordIssuedAt: ['2026-12-07T09:00:00Z'],
      },
    });
  });

  it('an earlier issuance replayed after a reset (ops reset of the onboarding) sets nothing and is not current', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    kc.customerChanges('IBU1', 'chosen-after-onboarding');
    const reset = issue({
      password: 'reset-Pass-2222',
      issuance: 'reset-IBU1.r1',
      issuedAt: '2026-12-07T09:00:00Z',
    });
    expect(await kc.idp.issuePassword(reset)).toMatchObject({ set: true });
    kc.customerChanges('IBU1', 'chosen-after-reset');
    expect(await kc.idp.issuePassword(issue())).toEqual({ set: false, created: false, current: false });
    expect(kc.loginOf('IBU1')).toMatchObject({ password: 'chosen-after-reset', requiredActions: [] });
    expect(kc.calls.filter((c) => c.includes('reset-password'))).toHaveLength(1);
  });

  it('puts back neither required actions nor `enabled` it read: a first login or a lock racing it stands', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    await kc.idp.issuePassword(issue({ password: 'reset-Pass-2222', issuance: 'reset-IBU1.r1' }));
    await kc.idp.setPhone('IBU1', '+254711000001');
    await kc.idp.setEnabled('IBU1', false);
    expect(kc.puts.length).toBeGreaterThanOrEqual(3);
    for (const body of kc.puts) expect(body).not.toHaveProperty('requiredActions');
    expect(kc.puts.filter((b) => 'enabled' in b)).toEqual([expect.objectContaining({ enabled: false })]);
  });

  it('a username held by another IB user is a business refusal, not a takeover', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    const other = issue({ owner: { userId: 'IBU2', username: 'ibamina01', customerId: '100002' } });
    await expect(kc.idp.issuePassword(other)).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(kc.loginOf('IBU1')!.password).toBe('first-Time-Pass-1');
  });

  it('revokes at the deadline only an unused password issued at or before it, and ends its sessions', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    // A newer issuance (a reset after the deadline) is not the one expiring.
    expect(await kc.idp.revokeUnusedPassword('IBU1', '2026-12-06T09:59:59Z')).toEqual({ revoked: false });
    expect(await kc.idp.firstLoginDone('IBU1')).toBe(false);
    expect(await kc.idp.revokeUnusedPassword('IBU1', '2026-12-09T10:00:00Z')).toEqual({ revoked: true });
    expect(kc.loginOf('IBU1')!.password).toBeNull();
    expect(kc.calls).toContain('POST /users/:id/logout');
    // Changed in time: left alone.
    const kc2 = fakeKeycloak();
    await kc2.idp.issuePassword(issue());
    kc2.customerChanges('IBU1', 'my-own-choice');
    expect(await kc2.idp.firstLoginDone('IBU1')).toBe(true);
    expect(await kc2.idp.revokeUnusedPassword('IBU1', '2026-12-09T10:00:00Z')).toEqual({ revoked: false });
    expect(kc2.loginOf('IBU1')!.password).toBe('my-own-choice');
    // No login at all: nothing to revoke.
    expect(await kc2.idp.revokeUnusedPassword('IBU9', '2026-12-09T10:00:00Z')).toEqual({ revoked: false });
  });

  it('disabling ends the sessions; enabling and a phone change touch only their own fields', async () => {
    const kc = fakeKeycloak();
    await kc.idp.issuePassword(issue());
    kc.customerChanges('IBU1', 'my-own-choice');
    expect(await kc.idp.setEnabled('IBU1', false)).toEqual({ found: true });
    expect(kc.loginOf('IBU1')).toMatchObject({ enabled: false, sessions: 0, password: 'my-own-choice' });
    await kc.idp.setEnabled('IBU1', true);
    await kc.idp.setPhone('IBU1', '+254711000001');
    expect(kc.loginOf('IBU1')).toMatchObject({
      enabled: true,
      attributes: { ibUserId: ['IBU1'], phoneNumber: ['+254711000001'] },
    });
    expect(await kc.idp.setEnabled('IBU9', false)).toEqual({ found: false });
  });

  it('a refused password is a business error; a 503 is retried; a cancelled call is not a Keycloak fault', async () => {
    const kc = fakeKeycloak();
    kc.faults.set('POST /users', 400);
    const refused = kc.idp.issuePassword(issue());
    await expect(refused).rejects.toBeInstanceOf(BusinessError);
    await expect(refused).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    expect(kc.users.size).toBe(0);
    kc.faults.set('GET /users', 503);
    await expect(kc.idp.firstLoginDone('IBU1')).rejects.toBeInstanceOf(TransientError);
    const cancelled = new AbortController();
    cancelled.abort(new Error('activity cancelled'));
    await expect(kc.idp.firstLoginDone('IBU1', cancelled.signal)).rejects.toThrow('activity cancelled');
  });
});

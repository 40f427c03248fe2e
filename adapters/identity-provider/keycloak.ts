import { BusinessError, TransientError } from '../errors';
import type { IdentityProvider, LoginOwner, PasswordIssue, SelfServiceLogins } from './types';
import { selfServiceLogins } from './keycloak-self-service';

/**
 * Keycloak's Admin REST API over fetch. Plain HTTP rather than @keycloak/keycloak-admin-client:
 * that package is ESM-only on preview Kiota dependencies, while the handful of calls here
 * (token, users, reset-password, credentials, logout) are stable REST resources, and fetch
 * lets every call carry the activity's cancellation signal and its own timeout.
 *
 * Authenticates as the `ibmb-identity-admin` client's service account (client credentials),
 * which holds realm-management's `manage-users` only: never the master realm's admin.
 */
export interface KeycloakAdminOptions {
  /** Keycloak's base URL, e.g. http://127.0.0.1:8080 (no /realms suffix). */
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The user attributes this service keeps on a login (admin-only: the realm's user profile). */
export const ATTRIBUTES = {
  userId: 'ibUserId',
  customerId: 'customerId',
  phone: 'phoneNumber',
  issuance: 'ibmbPasswordIssuance',
  issuedAt: 'ibmbPasswordIssuedAt',
  clients: 'ibmbClients',
  officeId: 'ibmbOfficeId',
} as const;

const UPDATE_PASSWORD = 'UPDATE_PASSWORD';

export interface UserRep {
  id: string;
  username: string;
  enabled: boolean;
  attributes?: Record<string, string[]>;
  requiredActions?: string[];
  [key: string]: unknown;
}

const attr = (u: UserRep, name: string): string | undefined => u.attributes?.[name]?.[0];

/** How many past issuances a login remembers: a replay of any of them sets nothing. */
const ISSUANCES_KEPT = 20;

/**
 * A user representation to PUT back after reading it: Keycloak replaces attributes whole, so
 * they go back in full, but required actions and `enabled` are left out (absent, Keycloak
 * keeps them): a read-modify-write racing the customer's first login, or a lock, must not
 * put back a stale UPDATE_PASSWORD or a stale `enabled`.
 */
function withoutLoginState(user: UserRep): Omit<UserRep, 'enabled' | 'requiredActions'> {
  const { requiredActions: _actions, enabled: _enabled, ...rest } = user;
  return rest;
}

export function createKeycloakIdentityProvider(
  o: KeycloakAdminOptions,
): IdentityProvider & SelfServiceLogins {
  const doFetch = o.fetch ?? fetch;
  const base = o.baseUrl.replace(/\/+$/, '');
  const realm = encodeURIComponent(o.realm);
  let token: { value: string; until: number } | undefined;

  async function send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(o.timeoutMs);
    try {
      return await doFetch(url, { ...init, signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
    } catch (e) {
      if (signal?.aborted) throw e; // cancelled: the activity is going away, not a Keycloak fault
      throw new TransientError(
        timeout.aborted ? `Keycloak did not answer within ${o.timeoutMs} ms` : 'Keycloak unreachable',
        e,
      );
    }
  }

  async function accessToken(signal?: AbortSignal): Promise<string> {
    if (token && token.until > Date.now()) return token.value;
    const res = await send(
      `${base}/realms/${realm}/protocol/openid-connect/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: o.clientId,
          client_secret: o.clientSecret,
        }),
      },
      signal,
    );
    // The body can name the client; never the secret. Retried: an operator can fix the client.
    if (!res.ok) throw new TransientError(`Keycloak refused the admin client's token (HTTP ${res.status})`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    token = { value: body.access_token, until: Date.now() + Math.max(0, body.expires_in - 30) * 1000 };
    return token.value;
  }

  /** One Admin API call; a 401 (token expired early, key rotated) gets one fresh token. */
  async function admin(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await send(
        `${base}/admin/realms/${realm}${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${await accessToken(signal)}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        },
        signal,
      );
      if (res.status === 401 && attempt === 0) {
        token = undefined;
        continue;
      }
      return res;
    }
  }

  async function expectOk(res: Response, what: string): Promise<void> {
    if (res.ok) return;
    // Keycloak's error key only (e.g. invalidPasswordMinLengthMessage): bodies never echo values here.
    const detail = await res
      .json()
      .then((b) => {
        const e = b as { error?: unknown; errorMessage?: unknown };
        return String(e.error ?? e.errorMessage ?? '');
      })
      .catch(() => '');
    if (res.status === 400 && /password/i.test(detail))
      throw new BusinessError('PASSWORD_POLICY', `Keycloak refused the password: ${detail}`);
    if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403)
      throw new TransientError(`Keycloak: ${what} failed (HTTP ${res.status}${detail && `, ${detail}`})`);
    throw new BusinessError(
      'IDENTITY_PROVIDER_REFUSED',
      `Keycloak: ${what} refused (HTTP ${res.status} ${detail})`,
    );
  }

  /** The login whose `ibUserId` is exactly this user id (Keycloak's q= search, checked again here). */
  async function findUser(userId: string, signal?: AbortSignal): Promise<UserRep | undefined> {
    const q = new URLSearchParams({
      q: `${ATTRIBUTES.userId}:${userId}`,
      exact: 'true',
      briefRepresentation: 'false',
    });
    const res = await admin('GET', `/users?${q}`, undefined, signal);
    await expectOk(res, 'user search');
    const users = (await res.json()) as UserRep[];
    return users.find((u) => attr(u, ATTRIBUTES.userId) === userId);
  }

  /** PUTs back a user read before (withoutLoginState); `set.enabled` when that is what changes. */
  async function updateUser(
    user: UserRep,
    signal?: AbortSignal,
    set: { enabled?: boolean } = {},
  ): Promise<void> {
    const body = { ...withoutLoginState(user), ...set };
    await expectOk(await admin('PUT', `/users/${user.id}`, body, signal), 'user update');
  }

  async function logout(user: UserRep, signal?: AbortSignal): Promise<void> {
    await expectOk(await admin('POST', `/users/${user.id}/logout`, undefined, signal), 'logout');
  }

  const ownerAttributes = (owner: LoginOwner): Record<string, string[]> => ({
    [ATTRIBUTES.userId]: [owner.userId],
    [ATTRIBUTES.customerId]: [owner.customerId],
    ...(owner.phone && { [ATTRIBUTES.phone]: [owner.phone] }),
  });

  const provider: IdentityProvider = {
    async issuePassword(issue: PasswordIssue, signal) {
      const { owner } = issue;
      let user = await findUser(owner.userId, signal);
      if (!user) {
        // One call creates the user with its password and issuance: nothing half-made to find later.
        const res = await admin(
          'POST',
          '/users',
          {
            username: owner.username,
            enabled: true,
            attributes: {
              ...ownerAttributes(owner),
              [ATTRIBUTES.issuance]: [issue.issuance],
              [ATTRIBUTES.issuedAt]: [issue.issuedAt],
            },
            credentials: [{ type: 'password', value: issue.password, temporary: issue.temporary }],
            requiredActions: issue.temporary ? [UPDATE_PASSWORD] : [],
          },
          signal,
        );
        if (res.status === 201) return { set: true, created: true, current: true };
        if (res.status !== 409) await expectOk(res, 'user creation');
        // 409: an attempt running alongside made it, or the username belongs to another login.
        user = await findUser(owner.userId, signal);
        if (!user)
          throw new BusinessError(
            'USERNAME_TAKEN',
            'the identity provider has another login with this username',
          );
      }
      // This issuance, or an earlier one, is there already: the customer may have chosen a
      // password since, or a later issuance (a reset) replaced it. Setting it again would undo
      // either; `current` says whether it is still the latest.
      const seen = user.attributes?.[ATTRIBUTES.issuance] ?? [];
      if (seen.includes(issue.issuance))
        return { set: false, created: false, current: seen.at(-1) === issue.issuance };
      // Password first, then the issuance: a crash between them sets the same password again.
      // A temporary password arms UPDATE_PASSWORD itself; a permanent one clears it.
      await expectOk(
        await admin(
          'PUT',
          `/users/${user.id}/reset-password`,
          { type: 'password', value: issue.password, temporary: issue.temporary },
          signal,
        ),
        'password reset',
      );
      await updateUser(
        {
          ...user,
          attributes: {
            ...user.attributes,
            ...ownerAttributes(owner),
            [ATTRIBUTES.issuance]: [...seen, issue.issuance].slice(-ISSUANCES_KEPT),
            [ATTRIBUTES.issuedAt]: [issue.issuedAt],
          },
        },
        signal,
      );
      return { set: true, created: false, current: true };
    },

    async revokeUnusedPassword(userId, issuedNotAfter, signal) {
      const user = await findUser(userId, signal);
      if (!user || !user.requiredActions?.includes(UPDATE_PASSWORD)) return { revoked: false };
      const issuedAt = attr(user, ATTRIBUTES.issuedAt);
      if (issuedAt && Date.parse(issuedAt) > Date.parse(issuedNotAfter)) return { revoked: false };
      const res = await admin('GET', `/users/${user.id}/credentials`, undefined, signal);
      await expectOk(res, 'credential list');
      for (const c of (await res.json()) as { id: string; type: string }[]) {
        if (c.type !== 'password') continue;
        const del = await admin('DELETE', `/users/${user.id}/credentials/${c.id}`, undefined, signal);
        if (del.status !== 404) await expectOk(del, 'password removal');
      }
      await logout(user, signal);
      return { revoked: true };
    },

    async firstLoginDone(userId, signal) {
      const user = await findUser(userId, signal);
      return !!user && !(user.requiredActions ?? []).includes(UPDATE_PASSWORD);
    },

    async setEnabled(userId, enabled, signal) {
      const user = await findUser(userId, signal);
      if (!user) return { found: false };
      if (user.enabled !== enabled) await updateUser(user, signal, { enabled });
      if (!enabled) await logout(user, signal);
      return { found: true };
    },

    async setPhone(userId, phone, signal) {
      const user = await findUser(userId, signal);
      if (!user) return { found: false };
      const attributes = { ...user.attributes };
      if (phone) attributes[ATTRIBUTES.phone] = [phone];
      else delete attributes[ATTRIBUTES.phone];
      await updateUser({ ...user, attributes }, signal);
      return { found: true };
    },
  };
  return { ...provider, ...selfServiceLogins({ provider, admin, expectOk, findUser, updateUser }) };
}

import { BusinessError } from '../errors';
import { ATTRIBUTES, type UserRep } from './keycloak';
import type { IdentityProvider, SelfServiceAccess, SelfServiceLogin, SelfServiceLogins } from './types';

/** What the Keycloak adapter lends its self-service calls: its authenticated Admin API. */
export interface KeycloakAdminCalls {
  provider: IdentityProvider;
  admin(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response>;
  expectOk(res: Response, what: string): Promise<void>;
  findUser(userId: string, signal?: AbortSignal): Promise<UserRep | undefined>;
  updateUser(user: UserRep, signal?: AbortSignal, set?: { enabled?: boolean }): Promise<void>;
}

interface RoleRep {
  id: string;
  name: string;
}

/**
 * Self-service users (MBanq) in Keycloak. The login is created with its password keyed by
 * issuance (issuePassword), then its profile and access are set to exactly what was asked:
 * a set, not an append, so a retry or an ops reset repeats nothing. Realm roles are mapped
 * through the user's own role-mapping resources (the ones `manage-users` reaches); only the
 * roles this service manages are ever removed.
 */
export function selfServiceLogins(k: KeycloakAdminCalls): SelfServiceLogins {
  async function roles(userId: string, which: '' | '/available', signal?: AbortSignal) {
    const res = await k.admin('GET', `/users/${userId}/role-mappings/realm${which}`, undefined, signal);
    await k.expectOk(res, 'role mappings');
    return (await res.json()) as RoleRep[];
  }

  /** The user's managed realm roles set to exactly `access.roles`; other roles are left alone. */
  async function setRoles(user: UserRep, access: SelfServiceAccess, signal?: AbortSignal): Promise<void> {
    const held = await roles(user.id, '', signal);
    const heldNames = new Set(held.map((r) => r.name));
    const wanted = new Set(access.roles);
    const missing = access.roles.filter((r) => !heldNames.has(r));
    if (missing.length) {
      const available = await roles(user.id, '/available', signal);
      const add = missing.map((name) => available.find((r) => r.name === name));
      if (add.some((r) => !r))
        throw new BusinessError('IDENTITY_PROVIDER_REFUSED', 'a role is not a realm role of this realm');
      await k.expectOk(
        await k.admin('POST', `/users/${user.id}/role-mappings/realm`, add, signal),
        'role mapping',
      );
    }
    const remove = held.filter((r) => access.managedRoles.includes(r.name) && !wanted.has(r.name));
    if (remove.length)
      await k.expectOk(
        await k.admin('DELETE', `/users/${user.id}/role-mappings/realm`, remove, signal),
        'role removal',
      );
  }

  return {
    async provisionSelfServiceLogin(login: SelfServiceLogin, signal?: AbortSignal) {
      const issued = await k.provider.issuePassword(login, signal);
      const user = await k.findUser(login.owner.userId, signal);
      if (!user) throw new BusinessError('IDENTITY_PROVIDER_REFUSED', 'the login just made is not found');
      await k.updateUser(
        {
          ...user,
          email: login.email,
          firstName: login.firstName,
          lastName: login.lastName,
          attributes: {
            ...user.attributes,
            [ATTRIBUTES.clients]: login.clients,
            [ATTRIBUTES.officeId]: [String(login.officeId)],
          },
        },
        signal,
      );
      await setRoles(user, login, signal);
      return { created: issued.created, passwordSet: issued.set };
    },

    async setSelfServiceAccess(userId, access, signal) {
      const user = await k.findUser(userId, signal);
      if (!user) return { found: false };
      await k.updateUser(
        { ...user, attributes: { ...user.attributes, [ATTRIBUTES.clients]: access.clients } },
        signal,
      );
      await setRoles(user, access, signal);
      // Sessions end: a refresh would otherwise keep access the admin just took away (an
      // access token already out lives until its exp, 300 s in the realm).
      await k.expectOk(await k.admin('POST', `/users/${user.id}/logout`, undefined, signal), 'logout');
      return { found: true };
    },

    async readSelfServiceLogin(userId, managedRoles, signal) {
      const user = await k.findUser(userId, signal);
      if (!user) return undefined;
      const held = await roles(user.id, '', signal);
      const officeId = Number(user.attributes?.[ATTRIBUTES.officeId]?.[0]);
      return {
        clients: user.attributes?.[ATTRIBUTES.clients] ?? [],
        roles: held.map((r) => r.name).filter((r) => managedRoles.includes(r)),
        managedRoles,
        enabled: user.enabled,
        officeId: Number.isInteger(officeId) ? officeId : null,
      };
    },
  };
}

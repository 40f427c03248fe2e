import { Context } from '@temporalio/activity';
import type { CallContext, CoreBankingClient, IbUserStatus } from '../adapters/core-banking/types';
import type { IdentityProvider } from '../adapters/identity-provider/types';

/**
 * Where the activities' login writes go: with an identity provider configured
 * (IDENTITY_PROVIDER=keycloak) the login lives there, keyed per issuance; without one,
 * core banking holds the password as before. The activities call these and nothing else
 * for a password, a revocation, a status or a phone on the login.
 */
export interface IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  /** Unset: core banking holds the logins (IDENTITY_PROVIDER=core-banking). */
  identityProvider?: IdentityProvider;
}

const cancellation = (): AbortSignal | undefined => {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // outside an activity (unit tests)
  }
};

export interface LoginPassword {
  userId: string;
  password: string;
  /** true: first-time password, changed at the first login (UPDATE_PASSWORD / mustChange). */
  temporary: boolean;
  /** The issuance's stable id: the same issuance again never sets the password twice. */
  issuance: string;
  /** The customer's number on file, kept on a new login. */
  phone?: string | null;
}

/**
 * `set: false`: the identity provider had this issuance already (a retry, a replayed step);
 * `current: false`: and a later issuance has replaced it since.
 */
export async function setLoginPassword(
  deps: IdentityProviderDeps,
  p: LoginPassword,
  ctx: CallContext,
): Promise<{ set: boolean; current: boolean }> {
  if (!deps.identityProvider) {
    await deps.coreBanking.setPassword(p.userId, p.password, p.temporary, ctx);
    return { set: true, current: true };
  }
  // Core banking names the login: the username it gave, the customer it belongs to.
  const user = await deps.coreBanking.getIbUser(p.userId, ctx);
  const { set, current } = await deps.identityProvider.issuePassword(
    {
      owner: {
        userId: p.userId,
        username: user.username,
        customerId: user.customerId,
        phone: p.phone ?? null,
      },
      password: p.password,
      temporary: p.temporary,
      issuance: p.issuance,
      issuedAt: new Date().toISOString(),
    },
    cancellation(),
  );
  return { set, current };
}

/**
 * The identity provider's answer to "revoke the unused first-time password issued at or
 * before this": only while its UPDATE_PASSWORD is still pending. undefined: core banking
 * holds the login (the caller asks it).
 */
export async function revokeUnusedLogin(
  deps: IdentityProviderDeps,
  userId: string,
  issuedNotAfter: string,
): Promise<{ revoked: boolean } | undefined> {
  if (!deps.identityProvider) return undefined;
  return deps.identityProvider.revokeUnusedPassword(userId, issuedNotAfter, cancellation());
}

/**
 * Whether a reported first login really happened: the identity provider has no
 * UPDATE_PASSWORD pending. Core banking mode trusts the channel's report, as before.
 */
export async function firstLoginConfirmed(deps: IdentityProviderDeps, userId: string): Promise<boolean> {
  if (!deps.identityProvider) return true;
  return deps.identityProvider.firstLoginDone(userId, cancellation());
}

/** The login follows core banking's status: enabled only while ACTIVE (locking or closing ends its sessions). */
export async function syncLoginStatus(
  deps: IdentityProviderDeps,
  userId: string,
  status: IbUserStatus,
): Promise<void> {
  if (!deps.identityProvider) return;
  await deps.identityProvider.setEnabled(userId, status === 'ACTIVE', cancellation());
}

/** Every login of the customer's IB users shows the number now on file. */
export async function syncLoginPhone(
  deps: IdentityProviderDeps,
  customerId: string,
  phone: string | null,
  ctx: CallContext,
): Promise<void> {
  if (!deps.identityProvider) return;
  const users = await deps.coreBanking.findIbUsers({ customerId }, ctx);
  for (const u of users) await deps.identityProvider.setPhone(u.userId, phone, cancellation());
}

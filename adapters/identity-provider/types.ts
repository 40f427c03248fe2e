/**
 * The identity provider that holds IB/MB users' logins (IDENTITY_PROVIDER=keycloak).
 * Core banking keeps the user's profile and status; the login (username, password, the
 * pending password change, sessions) lives here. Every write is keyed or conditional:
 * a retry, a crash or an ops reset finds what an earlier attempt made and never undoes
 * what the customer did since (docs/keycloak.md).
 */
export interface LoginOwner {
  /** The IB user id: the user's key in the provider (attribute `ibUserId`, claim per AUTH_USER_ID_CLAIM). */
  userId: string;
  username: string;
  customerId: string;
  /** E.164 number on file, as the `phoneNumber` attribute; null: none. */
  phone?: string | null;
}

export interface PasswordIssue {
  owner: LoginOwner;
  password: string;
  /**
   * true: a first-time password with the UPDATE_PASSWORD required action; false: a
   * password the customer chose (self-registration).
   */
  temporary: boolean;
  /**
   * The issuance's stable id (the id its message goes out under): the provider keeps it
   * on the user, so the same issuance again changes nothing, even after the customer
   * has changed the password.
   */
  issuance: string;
  /** When this issuance set it (ISO): a revocation at a deadline leaves newer ones alone. */
  issuedAt: string;
}

export interface IdentityProvider {
  /**
   * Creates the login, or sets this issuance's password once. `set: false`: this issuance
   * was there already; `current: false`: a later issuance has replaced it since.
   */
  issuePassword(
    issue: PasswordIssue,
    signal?: AbortSignal,
  ): Promise<{ set: boolean; created: boolean; current: boolean }>;
  /**
   * Removes the password of a user whose UPDATE_PASSWORD is still pending and that was
   * issued at or before `issuedNotAfter`, and ends their sessions. `revoked: false`: the
   * customer changed it already, a newer issuance replaced it, or there is no login.
   */
  revokeUnusedPassword(
    userId: string,
    issuedNotAfter: string,
    signal?: AbortSignal,
  ): Promise<{ revoked: boolean }>;
  /** Whether the user has a login whose first-time password was changed (no UPDATE_PASSWORD pending). */
  firstLoginDone(userId: string, signal?: AbortSignal): Promise<boolean>;
  /** Enables or disables the login; disabling also ends every session. `found: false`: no login to change. */
  setEnabled(userId: string, enabled: boolean, signal?: AbortSignal): Promise<{ found: boolean }>;
  /** Sets the `phoneNumber` attribute (null removes it). */
  setPhone(userId: string, phone: string | null, signal?: AbortSignal): Promise<{ found: boolean }>;
}

/** A self-service user's login (MBanq): profile, the clients it acts for, its realm roles, its password. */
export interface SelfServiceLogin extends PasswordIssue {
  email: string;
  firstName: string;
  lastName: string;
  officeId: number;
  /** The customer ids the user acts for: the `ibmbClients` attribute, the token's `clients` claim. */
  clients: string[];
  /** Realm roles the user holds, the self-service marker role included. */
  roles: string[];
  /** The realm roles this service manages on such a user: any of them not in `roles` is removed. */
  managedRoles: string[];
}

/** Optional: only an identity provider that can hold self-service users implements it. */
export interface SelfServiceLogins {
  /**
   * Creates the login with its password (once per issuance, as issuePassword), then sets its
   * profile, clients and roles to exactly these: repeating it changes nothing.
   */
  provisionSelfServiceLogin(
    login: SelfServiceLogin,
    signal?: AbortSignal,
  ): Promise<{ created: boolean; passwordSet: boolean }>;
  /** Sets the clients and the managed realm roles to exactly these. `found: false`: no login. */
  setSelfServiceAccess(
    userId: string,
    access: SelfServiceAccess,
    signal?: AbortSignal,
  ): Promise<{ found: boolean }>;
  /** The login's clients, realm roles (of `managedRoles`) and state; undefined: no login. */
  readSelfServiceLogin(
    userId: string,
    managedRoles: string[],
    signal?: AbortSignal,
  ): Promise<(SelfServiceAccess & { enabled: boolean; officeId: number | null }) | undefined>;
}

export type SelfServiceAccess = Pick<SelfServiceLogin, 'clients' | 'roles' | 'managedRoles'>;

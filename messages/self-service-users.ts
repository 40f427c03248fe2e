import type { DeliveryStatus } from './onboarding';
/**
 * The contract between the API and the CreateSelfServiceUser workflow (MBanq's
 * self-service users): a bank admin opens a business's API user, tied to the customers
 * (clients) it may act for, whose login the identity provider holds.
 */
export const CREATE_SELF_SERVICE_USER_WORKFLOW = 'CreateSelfServiceUser';

/**
 * Realm roles an admin may give a self-service user (`roles`). Each gates a client scope
 * of the self-service client (docker/keycloak/ibmb-realm.json), so a role decides what the
 * user's token may do; any other realm role is refused, never mapped.
 */
export const SELF_SERVICE_ROLES = ['self-service-contact-info'] as const;
export type SelfServiceRole = (typeof SELF_SERVICE_ROLES)[number];

/** Every self-service user holds it: the self-service client's API audience is gated on it. */
export const SELF_SERVICE_MARKER_ROLE = 'self-service-user';

/** How a generated password reaches the user (a given one is not sent anywhere). */
export type SelfServicePasswordDelivery = 'EMAIL' | 'SMS';

export interface CreateSelfServiceUserInput {
  requestId: string;
  username: string;
  firstname: string;
  lastname: string;
  /** The user's own address (the ERP's operator), not the business's on file. */
  email: string;
  officeId: number;
  roles: SelfServiceRole[];
  /** clients[0] is the business the user belongs to; the rest are customers core banking relates to it. */
  clients: string[];
  /** The admin's password, sealed by the API (lib/self-service-password.ts); absent: generated. */
  sealedPassword?: string;
  /** For a generated password: EMAIL to `email`, else SMS to the business's number on file. */
  delivery: SelfServicePasswordDelivery;
  /** UPDATE_PASSWORD at the first login (always for a generated password). */
  temporary: boolean;
}

export interface SelfServiceUserView {
  userId: string;
  username: string;
  businessCustomerId: string;
  clients: string[];
  roles: SelfServiceRole[];
  officeId: number;
  isSelfServiceUser: true;
  resetPasswordAfterFirstLogin: boolean;
}

export interface CreateSelfServiceUserResult extends SelfServiceUserView {
  processId: string;
  status: 'COMPLETED';
  /** Where a generated password went (masked); absent when the admin gave one. */
  /** PASSWORD_CHANGED: a retry or ops reset found the user's own password in force and sent nothing. */
  passwordDelivery?: { channel: SelfServicePasswordDelivery; to: string; status: DeliveryStatus };
}

/** One run per username: a retry finds it, a second user of the same name is refused. */
export const selfServiceUserProcessId = (username: string): string => `ssuser-${username.toLowerCase()}`;

/** PUT /v1/users/{userId}: the user's roles and clients, each replaced as a set when given. */
export const UPDATE_SELF_SERVICE_USER_WORKFLOW = 'UpdateSelfServiceUser';
/** GET /v1/users/{userId}: core banking's record and the login's access, read by activities. */
export const READ_SELF_SERVICE_USER_WORKFLOW = 'ReadSelfServiceUser';

export interface UpdateSelfServiceUserInput {
  requestId: string;
  userId: string;
  roles?: SelfServiceRole[];
  /** clients[0] must stay the user's business. */
  clients?: string[];
}

/** What GET answers, and PUT after its change. */
export interface SelfServiceUserState {
  userId: string;
  username: string;
  businessCustomerId: string;
  clients: string[];
  roles: SelfServiceRole[];
  officeId: number | null;
  isSelfServiceUser: true;
  /** Core banking's status (LOCKED, DEACTIVATED: closed). */
  status: string;
}

/** One change of a user's access at a time. */
export const selfServiceUserUpdateProcessId = (userId: string): string => `ssupd-${userId}`;

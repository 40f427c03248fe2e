import type {
  SelfServicePasswordDelivery,
  SelfServiceRole,
  SelfServiceUserState,
} from '../messages/self-service-users';
import type { CreatedIbUser, CredentialDelivery } from './types';

/** Activity signatures of CreateSelfServiceUser, as the workflow sees them (types only). */
export interface SelfServiceUserActivities {
  /** The business's self-service user in core banking, exactly this username; found again by businessKey. */
  createSelfServiceIbUser(input: {
    businessKey: string;
    customerId: string;
    username: string;
    linkedCustomerIds: string[];
  }): Promise<CreatedIbUser>;
  /** A generated password, derived from the process (a re-run seals the same one) and sealed. */
  sealGeneratedSelfServicePassword(input: { processId: string }): Promise<{ sealed: string }>;
  /** The login in the identity provider: password once per issuance, then profile, clients and roles. */
  provisionSelfServiceLogin(input: {
    processId: string;
    userId: string;
    sealedPassword: string;
    temporary: boolean;
    issuance: string;
    email: string;
    firstname: string;
    lastname: string;
    officeId: number;
    clients: string[];
    roles: string[];
  }): Promise<{ created: boolean; passwordSet: boolean }>;
  /** The generated password to the user's email, or by SMS to the business's number on file; keyed by messageId. */
  sendSelfServicePassword(input: {
    processId: string;
    customerId: string;
    sealedPassword: string;
    delivery: SelfServicePasswordDelivery;
    email: string;
    messageId: string;
  }): Promise<CredentialDelivery>;
  /** Compensation: the login follows core banking's deactivation (disabled, sessions ended). */
  disableSelfServiceLogin(input: { userId: string }): Promise<void>;
  /** Core banking's record and the login's access; USER_NOT_FOUND unless a self-service user with a login. */
  readSelfServiceUser(input: { userId: string }): Promise<SelfServiceUserState>;
  /** Whether core banking relates every one of `linked` to the business (one answer for unknown and unrelated). */
  checkSelfServiceClients(input: {
    businessCustomerId: string;
    linked: string[];
  }): Promise<{ allowed: boolean }>;
  /** Core banking's linked customers of the user, replaced as a set. */
  setSelfServiceLinkedCustomers(input: { userId: string; linkedCustomerIds: string[] }): Promise<void>;
  /** The login's clients claim and managed realm roles, replaced as sets. */
  setSelfServiceAccess(input: { userId: string; clients: string[]; roles: SelfServiceRole[] }): Promise<void>;
}

import type { SelfServicePasswordDelivery } from '../messages/self-service-users';

/** What CreateSelfServiceUser's activities take (types only: it lands in history). */

/** The business's self-service user in core banking, exactly this username; found again by businessKey. */
export interface SelfServiceIbUserInput {
  businessKey: string;
  customerId: string;
  username: string;
  linkedCustomerIds: string[];
}

/** The login in the identity provider: password once per issuance, then profile, clients and roles. */
export interface SelfServiceLoginInput {
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
}

/** The generated password to the user's email, or by SMS to the business's number on file; keyed by messageId. */
export interface SelfServicePasswordSend {
  processId: string;
  customerId: string;
  sealedPassword: string;
  delivery: SelfServicePasswordDelivery;
  email: string;
  messageId: string;
}

import type { CustomerType } from '../../rules/eligibility';
import type { PostalAddress } from '../../messages/contact-change';

/**
 * The core-banking (T24 via the bank's ESB) contract as this service sees it.
 * HTTP shapes are documented in docs/esb-contract.md; the simulator in simulator/
 * speaks the same contract.
 */
export type ProductStatus = 'ACTIVE' | 'DORMANT' | 'CLOSED';

export interface Product {
  productId: string;
  type: string;
  status: ProductStatus;
}

export type { PostalAddress };

export interface Customer {
  customerId: string;
  firstName: string;
  lastName: string;
  /** E.164 registered mobile number, null when none is registered. */
  mobilePhone: string | null;
  email: string | null;
  postalAddress?: PostalAddress | null;
  products: Product[];
  status: 'ACTIVE' | 'BLOCKED' | 'DECEASED';
  /** A business customer may have several IB/MB users; a retail one has one. Absent: RETAIL. */
  type?: CustomerType;
  /** BUSINESS only: the customers its users may act for (linkedCustomerIds). Absent: none. */
  relatedCustomerIds?: string[];
}

export type { CustomerType };

/**
 * What a self-registering customer types; core banking compares every factor given with
 * what it has on file (a factor it does not hold is not compared): more factors, a stronger
 * match.
 */
export interface IdentityMatchRequest {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  nationalIdLast4?: string;
  /** The full national id (Candescent: the Social Security number). */
  nationalId?: string;
  postalAddress?: { street: string; city: string; state?: string; zipCode?: string; country: string };
  mobilePhone?: string;
  email?: string;
  mothersMaidenName?: string;
}

/** Only whether one customer matches, and which: never which field did not. */
export interface IdentityMatch {
  matched: boolean;
  customerId: string | null;
}

export interface DisclosureAcceptanceRequest {
  /** Idempotency key: a replay records nothing twice. */
  businessKey: string;
  userId: string | null;
  channel: string;
  acceptedAt: string;
  disclosures: { id: string; version: number; sha256: string }[];
}

export interface DisclosureAcceptanceRecord extends DisclosureAcceptanceRequest {
  acceptanceId: string;
  customerId: string;
  recordedAt: string;
}

/** LOCKED: suspended by the bank or the customer (unlock makes it ACTIVE again); DEACTIVATED is final (closed). */
export type IbUserStatus = 'PENDING_AUTHORISATION' | 'ACTIVE' | 'LOCKED' | 'REJECTED' | 'DEACTIVATED';

export interface IbUser {
  userId: string;
  customerId: string;
  username: string;
  channel: string;
  status: IbUserStatus;
  /** The caller's idempotency key for the create: one user per business key, ever. */
  businessKey: string;
  mustChangePassword: boolean;
  passwordSetAt: string | null;
  /**
   * Who issued the password in force: the `issuedBy` of the setPassword that set it, null
   * when none is recorded (a set without one: the customer's own; or no password). Absent
   * from ESBs before it. Null and absent alike say nothing about which issuance it was.
   */
  passwordIssuedBy?: string | null;
  createdAt: string;
  updatedAt: string;
  deactivationReason?: string | null;
  /** A business customer's user: which employee (one live user per reference). */
  userReference?: string | null;
  /** The other customers this user acts for (a business customer's linked clients). */
  linkedCustomerIds?: string[];
  /** Why the user is LOCKED (null otherwise). */
  lockReason?: string | null;
}

/**
 * A conditional password write (docs/esb-contract.md, setPassword): it applies only while
 * the password in force is unchanged since `ifPasswordSetAt` (null: none is set), else
 * core banking refuses it with PASSWORD_CHANGED and changes nothing. Without
 * `ifPasswordSetAt` the write applies unconditionally and still records `issuedBy`.
 */
export interface PasswordCondition {
  ifPasswordSetAt?: string | null;
  /** Recorded with the password (passwordIssuedBy) until another one replaces it. */
  issuedBy: string;
}

export interface CreateIbUserRequest {
  businessKey: string;
  customerId: string;
  username: string;
  channel: string;
  acceptedDisclosures: string[];
  userReference?: string;
  linkedCustomerIds?: string[];
}

/** One security question's answer, hashed (salted) by the caller: core banking never sees the answer. */
export interface SecurityAnswer {
  questionId: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` of the normalised answer. */
  answerHash: string;
}

export interface SecurityAnswersUpdate {
  /** Idempotency key of the change: a replay with the same key is a no-op. */
  businessKey: string;
  questions: SecurityAnswer[];
}

export interface ContactUpdate {
  /** Idempotency key of the change; a replay with the same key is a no-op. */
  businessKey: string;
  mobilePhone?: string;
  email?: string;
  postalAddress?: PostalAddress;
}

/** Business error codes the ESB returns (as `errorCode`), surfaced as BusinessError.code. */
export type CoreBankingErrorCode =
  | 'CUSTOMER_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'USERNAME_TAKEN'
  | 'ALREADY_REGISTERED'
  | 'DUPLICATE_BUSINESS_KEY'
  | 'LINKED_CUSTOMER_NOT_RELATED'
  | 'INVALID_STATE'
  | 'PASSWORD_CHANGED'
  | 'VALIDATION_FAILED';

export interface CallContext {
  /** Propagated as X-Correlation-Id so ESB logs join up with ours. */
  correlationId?: string;
}

export interface CoreBankingClient {
  getCustomer(customerId: string, ctx?: CallContext): Promise<Customer>;
  findIbUsers(
    query: { customerId?: string; businessKey?: string; username?: string },
    ctx?: CallContext,
  ): Promise<IbUser[]>;
  getIbUser(userId: string, ctx?: CallContext): Promise<IbUser>;
  createIbUser(req: CreateIbUserRequest, ctx?: CallContext): Promise<IbUser>;
  /** With `condition`, only while the password in force is unchanged (else PASSWORD_CHANGED). */
  setPassword(
    userId: string,
    password: string,
    mustChange: boolean,
    ctx?: CallContext,
    condition?: PasswordCondition,
  ): Promise<void>;
  deactivateIbUser(userId: string, reason: string, ctx?: CallContext): Promise<IbUser>;
  /** A business user's linked customers, replaced as a set (only the business's relations). */
  setLinkedCustomers(userId: string, linkedCustomerIds: string[], ctx?: CallContext): Promise<IbUser>;
  /** ACTIVE → LOCKED; a LOCKED user answers unchanged. */
  lockIbUser(userId: string, reason: string, ctx?: CallContext): Promise<IbUser>;
  /** LOCKED → ACTIVE; an ACTIVE user answers unchanged. */
  unlockIbUser(userId: string, reason: string, ctx?: CallContext): Promise<IbUser>;
  /** The password stops working (no password is set); idempotent. */
  revokePassword(userId: string, reason: string, ctx?: CallContext): Promise<void>;
  /** Replaces the user's security answers with these salted hashes. */
  setSecurityAnswers(userId: string, update: SecurityAnswersUpdate, ctx?: CallContext): Promise<void>;
  updateContact(customerId: string, update: ContactUpdate, ctx?: CallContext): Promise<Customer>;
  matchCustomerIdentity(identity: IdentityMatchRequest, ctx?: CallContext): Promise<IdentityMatch>;
  recordDisclosureAcceptance(
    customerId: string,
    req: DisclosureAcceptanceRequest,
    ctx?: CallContext,
  ): Promise<DisclosureAcceptanceRecord>;
}

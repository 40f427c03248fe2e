/**
 * What crosses the activity boundary (and so lands in history): the activities' inputs
 * and answers. Each capability's activities are typed by its factory (XActivities =
 * ReturnType<typeof createXActivities>); workflows import those as types only.
 */
import type { ContactChange, ContactField } from '../messages/contact-change';
import type { Channel, CredentialDeliveryChannel } from '../messages/onboarding';
import type { CustomerType, IbUserStatus } from '../adapters/core-banking/types';
import type { UserStatusAction } from '../messages/user-status';
import type { PasswordIssued } from '../messages/password-expiry';
import type { CredentialNoticeKind } from './notice-templates';

export interface EligibilityInput {
  customerId: string;
  phone?: string;
  email?: string;
  credentialDelivery?: CredentialDeliveryChannel;
  /** The onboarding's own business key: a user it created itself is not "another" live user. */
  businessKey?: string;
  /** A business customer's employee: one user per reference (a retail customer has one user). */
  userReference?: string;
  linkedCustomerIds?: string[];
}

export interface CreateIbUserInput {
  businessKey: string;
  customerId: string;
  channel: Channel;
  preferredUsername?: string;
  acceptedDisclosures: string[];
  userReference?: string;
  linkedCustomerIds?: string[];
}

export interface CreatedIbUser {
  userId: string;
  username: string;
  status: IbUserStatus;
  /** True when a previous attempt had already created it (check-then-create). */
  existed: boolean;
}

export interface UsernameSyncInput {
  webhookId: string;
  processId: string;
  customerId: string;
  userId: string;
  username: string;
  channel: Channel;
  /**
   * An ops reset's run: nothing is sent once the customer has logged in with the username
   * (their own password in force), which the channel then knows already.
   */
  unlessLoggedIn?: boolean;
}

export interface FirstTimePasswordInput {
  processId: string;
  customerId: string;
  userId: string;
  username: string;
  /**
   * sealFirstTimePassword()'s blob: every attempt sets and sends this one password.
   * Absent in runs from before it existed (each attempt then makes its own).
   */
  sealedPassword?: string;
  /** SMS when absent. */
  delivery?: CredentialDeliveryChannel;
  /** The issuance's message-id prefix (a reset's own); absent: `{workflowId}.{userId}` (onboarding). */
  messageRef?: string;
  /** The phone an onboarding's phoneProof proved (its digest): the password goes to it only. */
  provenPhoneDigest?: string;
  /**
   * A reset's: the password it replaces (the passwordSetAt its lookup saw). A sealed issuance
   * sets its password only over that one (onboarding: over none), so a retry, a reset run or
   * a replayed step never replaces a password the customer chose since.
   */
  ifPasswordSetAt?: string | null;
}

/**
 * SENT: the password is set and on its way. PASSWORD_CHANGED: nothing set, nothing sent,
 * as the password in force is no longer the one this issuance replaces or set (the
 * customer chose their own since: a retry or an ops reset after the first login).
 */
export type CredentialDeliveryStatus = 'SENT' | 'PASSWORD_CHANGED';

export interface CredentialDelivery {
  channel: CredentialDeliveryChannel;
  to: string;
  status: CredentialDeliveryStatus;
  provider: string;
}

export type * from './mfa-proof-types';
export type * from './quota-types';
export type { EligibilityFacts } from '../rules/eligibility';

/** The owner of the contact details being changed, and what the change really changes. */
export interface ContactOwner {
  found: boolean;
  customerId: string;
  userId: string | null;
  /** Current contacts: the old ones get the security notice (payloads are encrypted). */
  current: { phone: string | null; email: string | null };
  changed: ContactField[];
}

/** The IB/MB user a credential process works on, with the contacts it notifies (payloads are encrypted). */
export interface CredentialOwner {
  found: boolean;
  userId: string;
  customerId: string;
  status: IbUserStatus | null;
  contacts: { phone: string | null; email: string | null };
  /** When the password in force was set (null: none); absent in runs from before it. */
  passwordSetAt?: string | null;
}

/** A notice about a credential (reset, expiry, lock, unlock, close, security questions). */
export interface CredentialNotice {
  id: string;
  channel: 'SMS' | 'EMAIL';
  to: string;
  kind: CredentialNoticeKind;
}

/** A notice about a contact change, to a contact on file or the new one. */
export interface ContactNotice {
  id: string;
  channel: 'SMS' | 'EMAIL';
  to: string;
  kind: 'SECURITY_NOTICE' | 'CONFIRMATION' | 'PENDING_CHANGE';
  changed: ContactField[];
  /** PENDING_CHANGE: minutes until the change takes effect unless cancelled. */
  minutesUntilEffective?: number;
}

/** A linked system told of a contact change (webhookId: the message's stable id). */
export interface ContactChangePropagation {
  system: string;
  webhookId: string;
  customerId: string;
  userId: string | null;
  changed: ContactField[];
  change: ContactChange;
}

/** A linked system told of a user's new status. */
export interface UserStatusPropagation {
  system: string;
  webhookId: string;
  userId: string;
  customerId: string;
  action: UserStatusAction;
  status: IbUserStatus;
}

/** Sealed answers: unsealed, hashed each with its own salt, only the hashes stored in core banking. */
export interface SealedSecurityAnswers {
  userId: string;
  requestId: string;
  businessKey: string;
  sealedAnswers: string;
}

/** A self-registered user: exactly the name the customer chose. */
export interface RegisteredUserInput {
  businessKey: string;
  customerId: string;
  username: string;
  channel: string;
  acceptedDisclosures: string[];
}

/** Self-registration's identity match: a mismatch says nothing about the customer. */
export type IdentityMatchFacts =
  | { matched: false }
  | { matched: true; customerId: string; customerType: CustomerType; usernameTaken: boolean };

/** Signal-with-start of the user's FirstTimePasswordExpiry: the timer (re)starts for this issuance. */
export interface PasswordExpiryArming {
  userId: string;
  issued: PasswordIssued;
  startedBy?: string;
}

/**
 * Revokes the first-time password if core banking still holds one that must be changed.
 * `setNotAfter`: revoke only a password set at or before this (ISO time); a later one is newer.
 */
export interface FirstTimePasswordRevocation {
  userId: string;
  ref: string;
  setNotAfter?: string;
  /** Revoke only the password core banking holds under this issuance (clock-free). */
  passwordIssuedBy?: string;
}

/** Lock, unlock or close an IB/MB user in core banking (its login follows). */
export interface UserStatusChange {
  userId: string;
  action: UserStatusAction;
  reason: string;
}

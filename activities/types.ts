/**
 * Activity signatures as workflows see them. Workflows import this file only (as
 * types), never the implementations, which hold clients and secrets.
 */
import type { ContactChange, ContactField, ContactInfoRead } from '../messages/contact-change';
import type { Channel, CredentialDeliveryChannel } from '../messages/onboarding';
import type { IbUserStatus } from '../adapters/core-banking/types';
import type { EligibilityFacts } from '../rules/eligibility';
import type { PasswordIssued } from '../messages/password-expiry';
import type { UserStatusAction } from '../messages/user-status';
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

export interface OnboardingActivities {
  checkEligibility(input: EligibilityInput): Promise<EligibilityFacts>;
  createIbUser(input: CreateIbUserInput): Promise<CreatedIbUser>;
  getIbUserStatus(input: { userId: string }): Promise<IbUserStatus>;
  syncUsernameToChannel(input: UsernameSyncInput): Promise<{ delivered: 'http' | 'outbox' | 'none' }>;
  /** A new first-time password, sealed under the server key (workflow state holds only this). */
  sealFirstTimePassword(input: { processId: string; userId: string }): Promise<{ sealed: string }>;
  issueFirstTimePassword(input: FirstTimePasswordInput): Promise<CredentialDelivery>;
  deactivateIbUser(input: { userId: string; reason: string }): Promise<void>;
  /** Compensation for a create that failed: a user core banking made under the key after all is deactivated. */
  deactivateUserByBusinessKey(input: {
    businessKey: string;
    reason: string;
  }): Promise<{ userId: string | null }>;
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

/** A contact change's own steps; the MFA proof it consumes is MfaProofActivities'. */
export interface ContactChangeActivities {
  /** The customer's masked contacts (GET contact-info), or found: false. */
  readContactInfo(input: { customerId: string }): Promise<ContactInfoRead>;
  lookupContactOwner(input: {
    userId?: string;
    customerId?: string;
    change: ContactChange;
  }): Promise<ContactOwner>;
  applyContactChange(input: {
    customerId: string;
    businessKey: string;
    change: ContactChange;
  }): Promise<void>;
  propagateContactChange(input: {
    system: string;
    webhookId: string;
    customerId: string;
    userId: string | null;
    changed: ContactField[];
    change: ContactChange;
  }): Promise<void>;
  sendContactNotice(input: {
    id: string;
    channel: 'SMS' | 'EMAIL';
    to: string;
    kind: 'SECURITY_NOTICE' | 'CONFIRMATION' | 'PENDING_CHANGE';
    changed: ContactField[];
    /** PENDING_CHANGE: minutes until the change takes effect unless cancelled. */
    minutesUntilEffective?: number;
  }): Promise<{ to: string }>;
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

export interface CredentialActivities {
  lookupCredentialOwner(input: { userId: string }): Promise<CredentialOwner>;
  sendCredentialNotice(input: {
    id: string;
    channel: 'SMS' | 'EMAIL';
    to: string;
    kind: CredentialNoticeKind;
  }): Promise<{ to: string }>;
  /** Signal-with-start of the user's FirstTimePasswordExpiry: the timer (re)starts for this issuance. */
  armPasswordExpiry(input: {
    userId: string;
    issued: PasswordIssued;
    startedBy?: string;
  }): Promise<{ processId: string }>;
  /** Revokes the first-time password if core banking still holds one that must be changed. */
  /** `setNotAfter`: revoke only a password set at or before this (ISO time); a later one is newer. */
  /** `passwordIssuedBy`: revoke only the password core banking holds under this issuance (clock-free). */
  revokeFirstTimePassword(input: {
    userId: string;
    ref: string;
    setNotAfter?: string;
    passwordIssuedBy?: string;
  }): Promise<{ revoked: boolean }>;
  /** Whether a reported first login happened (the identity provider, when it holds the login). */
  confirmFirstLogin(input: { userId: string }): Promise<{ confirmed: boolean }>;
  applyUserStatus(input: {
    userId: string;
    action: UserStatusAction;
    reason: string;
  }): Promise<{ status: IbUserStatus }>;
  propagateUserStatus(input: {
    system: string;
    webhookId: string;
    userId: string;
    customerId: string;
    action: UserStatusAction;
    status: IbUserStatus;
  }): Promise<void>;
  /** Unseals the answers, hashes each with its own salt and stores only the hashes in core banking. */
  storeSecurityAnswers(input: {
    userId: string;
    requestId: string;
    businessKey: string;
    sealedAnswers: string;
  }): Promise<{ stored: number }>;
}

import { defineUpdate } from '@temporalio/workflow';
import type { DisclosureAcceptance, DisclosureRecord } from './disclosures';

/** The contract between the API and the OnboardIbUser workflow. */
export const ONBOARD_WORKFLOW = 'OnboardIbUser';

export const CHANNELS = ['MOBILE', 'BRANCH'] as const;
export type Channel = (typeof CHANNELS)[number];

/** How a first-time password reaches the customer: SMS to the mobile, or EMAIL to the address on file. */
export const CREDENTIAL_DELIVERY = ['SMS', 'EMAIL'] as const;
export type CredentialDeliveryChannel = (typeof CREDENTIAL_DELIVERY)[number];

export interface OnboardIbUserInput {
  requestId: string;
  customerId: string;
  channel: Channel;
  /** When given, must equal the mobile number registered in core banking. */
  phone?: string;
  /** When given, must equal the email registered in core banking (case-insensitive). */
  email?: string;
  /** SMS when absent (also in runs from before it existed). */
  credentialDelivery?: CredentialDeliveryChannel;
  /** Minutes the first-time password lives without a first login; absent in runs from before expiry. */
  firstTimePasswordTtlMinutes?: number;
  preferredUsername?: string;
  /** Plain codes (the current version) or `{id, version}`. */
  acceptedDisclosures: DisclosureAcceptance[];
  /**
   * The institution's current records when the request came in: the workflow checks the
   * acceptances against them and records the evidence. Absent in runs from before.
   */
  disclosures?: DisclosureRecord[];
  /** A business customer's employee: one IB/MB user per reference. */
  userReference?: string;
  /** The other customers a business user acts for. */
  linkedCustomerIds?: string[];
  /** Maker-checker: how long a user pending authorisation is awaited. */
  authorisationTimeoutHours: number;
  /**
   * A VERIFIED pre-login ONBOARDING challenge proving the mobile on file (its serviceKey;
   * the API checked its securityKey, which never enters the run): consumed once before the
   * user is created, and the first-time password then goes to that proven number only.
   */
  phoneProofServiceKey?: string;
}

/**
 * SENT, or PASSWORD_CHANGED: nothing set or sent, the customer's own password is in force
 * (a retried or reset run after the first login).
 */
export type DeliveryStatus = 'SENT' | 'PASSWORD_CHANGED';

export interface OnboardIbUserResult {
  processId: string;
  status: 'COMPLETED';
  customerId: string;
  userId: string;
  username: string;
  credentialDelivery: { channel: CredentialDeliveryChannel; to: string; status: DeliveryStatus };
  /** The durable timer that revokes the first-time password unless the customer logs in first. */
  passwordExpiry?: PasswordExpiryView;
}

/**
 * The first response a channel needs (Early Return): the user exists in core banking, with
 * its username; the username sync and the first-time password follow in the same run,
 * whose outcome is at statusUrl. A run that fails before it rejects the Update with its
 * business failure.
 */
export interface OnboardingMilestone {
  processId: string;
  status: 'USER_CREATED' | 'PENDING_AUTHORISATION';
  customerId: string;
  userId: string;
  username: string;
}

/** Answers once the run's user exists (update-with-start by `Prefer: milestone=user-created`). */
export const userCreatedUpdate = defineUpdate<OnboardingMilestone>('userCreated');

export interface PasswordExpiryView {
  processId: string;
  expiresAt: string;
}

/**
 * One onboarding per customer at a time: the workflow id is the customer's. A business
 * customer's employee (userReference) has an id of their own, so several users of one
 * business can be opened; a retail customer's id is unchanged (`onboard-{customerId}`).
 * Customer ids hold no dot, so `.` separates the reference unambiguously.
 */
export const onboardingProcessId = (customerId: string, userReference?: string): string =>
  userReference === undefined ? `onboard-${customerId}` : `onboard-${customerId}.${userReference}`;

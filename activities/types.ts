/**
 * Activity signatures as workflows see them. Workflows import this file only (as
 * types), never the implementations, which hold clients and secrets.
 */
import type { Channel } from '../messages/onboarding';
import type { IbUserStatus } from '../adapters/core-banking/types';

/** Facts about a customer, without contact details: the workflow decides on them. */
export interface EligibilityFacts {
  found: boolean;
  customerStatus?: 'ACTIVE' | 'BLOCKED' | 'DECEASED';
  activeProducts: number;
  hasRegisteredMobile: boolean;
  /** null when the request carried no phone. */
  phoneMatchesRegistered: boolean | null;
  liveIbUserId: string | null;
  /** For responses: "+2547•••••001". */
  registeredMobileMasked: string | null;
}

export interface CreateIbUserInput {
  businessKey: string;
  customerId: string;
  channel: Channel;
  preferredUsername?: string;
  acceptedDisclosures: string[];
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
}

export interface FirstTimePasswordInput {
  processId: string;
  customerId: string;
  userId: string;
  username: string;
}

export interface CredentialDelivery {
  channel: 'SMS';
  to: string;
  status: 'SENT';
  provider: string;
}

export interface OnboardingActivities {
  checkEligibility(input: { customerId: string; phone?: string }): Promise<EligibilityFacts>;
  createIbUser(input: CreateIbUserInput): Promise<CreatedIbUser>;
  getIbUserStatus(input: { userId: string }): Promise<IbUserStatus>;
  syncUsernameToChannel(input: UsernameSyncInput): Promise<{ delivered: 'http' | 'outbox' }>;
  issueFirstTimePassword(input: FirstTimePasswordInput): Promise<CredentialDelivery>;
  deactivateIbUser(input: { userId: string; reason: string }): Promise<void>;
}

export type * from './mfa-types';

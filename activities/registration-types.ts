/**
 * Self-registration activity signatures as workflows see them. Everything crossing this
 * boundary lands in history: the identity and the password travel sealed only.
 */
import type { CustomerType, DisclosureAcceptanceRequest } from '../adapters/core-banking/types';
import type { MfaState } from '../messages/mfa';
import type { DestinationQuotaPolicy } from '../messages/mfa-quota';
import type { CreatedIbUser } from './types';

export type IdentityMatchFacts =
  | { matched: false }
  | { matched: true; customerId: string; customerType: CustomerType; usernameTaken: boolean };

export interface RegistrationActivities {
  /** IDENTITY_ATTEMPTS_EXCEEDED (retryAfterSeconds) when the identity's budget is spent. */
  reserveIdentityAttempt(input: {
    identityDigest: string;
    ref: string;
    policy: DestinationQuotaPolicy;
  }): Promise<{ reserved: true }>;
  matchRegistrationIdentity(input: {
    registrationId: string;
    sealedIdentity: string;
    username: string;
  }): Promise<IdentityMatchFacts>;
  /** The challenge's state once its first code is out; its refusal otherwise. */
  awaitRegistrationCode(input: { serviceKey: string }): Promise<MfaState>;
  /** CHALLENGE_NOT_VERIFIED unless the challenge is verified (and then it is consumed, once). */
  consumeRegistrationCode(input: {
    serviceKey: string;
    consumerProcessId: string;
  }): Promise<{ consumed: true }>;
  createRegisteredUser(input: {
    businessKey: string;
    customerId: string;
    username: string;
    channel: string;
    acceptedDisclosures: string[];
  }): Promise<CreatedIbUser>;
  setRegisteredPassword(input: {
    registrationId: string;
    userId: string;
    sealedPassword: string;
  }): Promise<{ passwordSet: true }>;
  recordDisclosureAcceptance(
    input: DisclosureAcceptanceRequest & { customerId: string },
  ): Promise<{ acceptanceId: string }>;
  deactivateRegisteredUser(input: {
    businessKey: string;
    reason: string;
  }): Promise<{ userId: string | null }>;
}

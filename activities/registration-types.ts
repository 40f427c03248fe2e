/**
 * Self-registration activity signatures as workflows see them. Everything crossing this
 * boundary lands in history: the identity and the password travel sealed only.
 */
import type { CustomerType, DisclosureAcceptanceRequest } from '../adapters/core-banking/types';
import type { CreatedIbUser } from './types';

export type IdentityMatchFacts =
  | { matched: false }
  | { matched: true; customerId: string; customerType: CustomerType; usernameTaken: boolean };

/** A registration's own steps; its quota and its code are QuotaActivities' and MfaProofActivities'. */
export interface RegistrationActivities {
  matchRegistrationIdentity(input: {
    registrationId: string;
    sealedIdentity: string;
    username: string;
  }): Promise<IdentityMatchFacts>;
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

/**
 * What MFA proof activities take and answer (re-exported by activities/types.ts):
 * sending a challenge's codes, and consuming a verified challenge as a process's proof.
 * Everything crossing this boundary lands in history: destinations travel sealed,
 * codes as digests and sealed blobs, contacts masked.
 */
import type { MfaPurpose } from '../messages/mfa';
import type { MfaProofActivities } from './mfa-proofs';
import type { QuotaActivities } from './quotas';

export type { MfaProofActivities } from './mfa-proofs';

/** A destination as the workflow knows it: masked, referenced, and as a keyed digest. */
export interface ContactRef {
  masked: string;
  referenceId: string;
  /** destinationDigest(): quota key and consume binding, never reversible without the server key. */
  digest: string;
}

export interface ResolvedDestinations {
  phone: ContactRef[];
  email: ContactRef[];
  /** The plain destinations, sealed under the server key for the send activities. */
  sealed: string;
}

export interface ResolveDestinationsInput {
  serviceKey: string;
  purpose: MfaPurpose;
  userId?: string;
  /** REGISTRATION: the customer whose mobile on file gets the code. */
  customerId?: string;
  phone?: string;
  email?: string;
}

export interface SendCodeInput {
  serviceKey: string;
  purpose: MfaPurpose;
  sealedDestinations: string;
  /** Digests of destinations not to send to (over their quota). */
  skipDigests?: string[];
  codeLength: number;
  /** ISO-8601: the message says how long the code stays valid. */
  expiresAt: string;
  /** Legs a local attempt delivered before it failed (workflows/local-first.ts): not sent again. */
  accepted?: Delivery[];
}

/** One destination's leg of the first send (the code is the same for every leg). */
export interface SendLegInput extends SendCodeInput {
  channel: Delivery['channel'];
}

export interface ResendCodeInput {
  serviceKey: string;
  purpose: MfaPurpose;
  sealedDestinations: string;
  sealedCode: string;
  skipDigests?: string[];
  expiresAt: string;
  /** 1 for the first resend: part of the message ids. */
  sendNumber: number;
  /** Legs a local attempt delivered before it failed (workflows/local-first.ts): not sent again. */
  accepted?: Delivery[];
}

export interface Delivery {
  channel: 'SMS' | 'EMAIL';
  referenceId: string;
  provider: string;
}

export interface SentCode {
  /** otpDigest(serverKey, serviceKey, code). */
  codeDigest: string;
  /** The code sealed under the server key, so a resend re-delivers the same code. */
  sealedCode: string;
  deliveries: Delivery[];
}

/**
 * Consumes a VERIFIED pre-login ONBOARDING challenge as proof of the customer's mobile on
 * file (bound to purpose, no user, and that number's digest); returns the proven digest.
 */
export interface PhoneProofInput {
  serviceKey: string;
  customerId: string;
  consumerProcessId: string;
}

/** MFA_NOT_VERIFIED unless the challenge is a verified, unused proof of this purpose, user and phone. */
export interface ConsumeMfaChallengeInput {
  serviceKey: string;
  userId: string;
  /** The phone the code went to: the new one (UPDATE_PHONE), the one on file (STEP_UP; null: none). */
  phone: string | null;
  /** The purpose the challenge must have been made for; UPDATE_PHONE when absent (released histories). */
  purpose?: 'UPDATE_PHONE' | 'STEP_UP' | 'RESET_PASSWORD' | 'UPDATE_SECURITY_QUESTIONS';
  consumerProcessId: string;
}

/** What a challenge's own run calls: its codes' delivery and its destinations' quota. */
export type MfaChallengeActivities = Pick<
  MfaProofActivities,
  'resolveChallengeDestinations' | 'sendChallengeCode' | 'sendChallengeLeg' | 'resendChallengeCode'
> &
  Pick<QuotaActivities, 'reserveDestinationSend'>;

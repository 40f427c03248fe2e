import type { QuotaBudget } from '../messages/mfa-quota';
/**
 * MFA activity signatures as workflows see them (re-exported by activities/types.ts).
 * Everything crossing this boundary lands in history: destinations travel sealed,
 * codes as digests and sealed blobs, contacts masked.
 */
import type { MfaPurpose } from '../messages/mfa';

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

export interface ReserveSendInput {
  /** Unique per send attempt of a challenge, so a retried reservation counts once. */
  ref: string;
  destinationDigests: string[];
  /** Absent in runs from before pre-login budgets: USER. */
  budget?: QuotaBudget;
}

export interface ReservedSend {
  reserved: number;
  /** Destinations over their quota: the send skips them (absent in older histories). */
  overQuota?: string[];
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

export interface MfaActivities {
  resolveChallengeDestinations(input: ResolveDestinationsInput): Promise<ResolvedDestinations>;
  reserveDestinationSend(input: ReserveSendInput): Promise<ReservedSend>;
  sendChallengeCode(input: SendCodeInput): Promise<SentCode>;
  /** The first send to one destination: a challenge is verifiable once any leg is out. */
  sendChallengeLeg(input: SendLegInput): Promise<SentCode>;
  resendChallengeCode(input: ResendCodeInput): Promise<{ deliveries: Delivery[] }>;
}

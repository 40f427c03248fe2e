import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DisclosureAcceptance, DisclosureRecord } from './disclosures';
import type { DestinationQuotaPolicy } from './mfa-quota';
import type { MfaPolicy, MfaState } from './mfa';

/** The contract between the API and the SelfRegistration workflow. No secret in clear. */
export const SELF_REGISTRATION_WORKFLOW = 'SelfRegistration';

export const registrationProcessId = (registrationId: string): string => `registration-${registrationId}`;

/**
 * The per-identity attempt limit: an MfaDestinationQuota entity (the same sliding window)
 * keyed by identityDigest(), never by the identity itself.
 */
export const identityAttemptsWorkflowId = (identityDigest: string): string =>
  `registration-identity-${identityDigest}`;

export interface SelfRegistrationInput {
  registrationId: string;
  requestId: string;
  /** The MfaChallenge this registration sends its code with (id mfa-{serviceKey}). */
  serviceKey: string;
  securityKeyDigest: string;
  /** Lowercased; policy-checked by the API. */
  username: string;
  /** The typed identity, sealed by the API (lib/registration-crypto.ts). */
  sealedIdentity: string;
  identityDigest: string;
  /** The chosen password, sealed by the API: only the activity that sets it opens it. */
  sealedPassword: string;
  acceptedDisclosures: DisclosureAcceptance[];
  /** The institution's current records when the request came in. */
  disclosures: DisclosureRecord[];
  channel: 'MOBILE' | 'WEB';
  mfaPolicy: MfaPolicy;
  identityAttempts: DestinationQuotaPolicy;
}

export type RegistrationStage = 'CHECKING' | 'CODE_SENT' | 'COMPLETING' | 'COMPLETED' | 'FAILED';

/** What the create answer shows: the masked number on file, never the number itself. */
export interface CodeSent {
  registrationId: string;
  processId: string;
  serviceKey: string;
  status: 'CODE_SENT';
  expiresAt: string;
  maskedDestination: string;
  challenge: MfaState;
}

export interface SelfRegistrationResult {
  processId: string;
  registrationId: string;
  status: 'COMPLETED';
  userId: string;
  username: string;
}

export interface RegistrationFailure {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface RegistrationView {
  registrationId: string;
  stage: RegistrationStage;
  serviceKey: string;
  codeSent: CodeSent | null;
  result: SelfRegistrationResult | null;
  failure: RegistrationFailure | null;
}

/** Resolves once the code is out, or fails with why nothing was sent (IDENTITY_NOT_VERIFIED…). */
export const awaitCodeSentUpdate = defineUpdate<CodeSent>('awaitCodeSent');
/** After the API verified the code: consumes it, creates the user, sets the password. */
export const completeRegistrationUpdate = defineUpdate<SelfRegistrationResult>('complete');
export const registrationStateQuery = defineQuery<RegistrationView>('registrationState');
/** Whether a securityKey digest is this registration's: the API asks before it says anything else. */
export const registrationKeyMatchesQuery = defineQuery<boolean, [string]>('securityKeyMatches');

export const REGISTRATION_CODES = [
  'IDENTITY_NOT_VERIFIED',
  'IDENTITY_ATTEMPTS_EXCEEDED',
  'USERNAME_TAKEN',
  'REGISTRATION_EXPIRED',
  'REGISTRATION_FAILED',
  'REGISTRATION_NOT_READY',
] as const;
export type RegistrationCode = (typeof REGISTRATION_CODES)[number];

/**
 * Identity factors a bank may require of self-registration besides name and date of birth
 * (REGISTRATION_IDENTITY_FACTORS), each with the request fields that satisfy it.
 */
export const IDENTITY_FACTORS = {
  NATIONAL_ID: ['socialSecurityNumber', 'nationalIdLast4'],
  FULL_NATIONAL_ID: ['socialSecurityNumber'],
  POSTAL_ADDRESS: ['postalAddress'],
  PHONE: ['phoneNumber'],
  EMAIL: ['emailAddress'],
  MOTHERS_MAIDEN_NAME: ['mothersMaidenName'],
} as const;
export type IdentityFactor = keyof typeof IDENTITY_FACTORS;
export const IDENTITY_FACTOR_NAMES = Object.keys(IDENTITY_FACTORS) as [IdentityFactor, ...IdentityFactor[]];

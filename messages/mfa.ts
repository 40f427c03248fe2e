import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The contract between the API (and other workflows) and the MfaChallenge workflow.
 * Nothing here carries a secret: the securityKey and OTP candidates travel as HMAC
 * digests under the server key (lib/mfa-crypto.ts computes them).
 */
export const MFA_CHALLENGE_WORKFLOW = 'MfaChallenge';

export const MFA_PURPOSES = [
  'ONBOARDING',
  'LOGIN',
  'UPDATE_PHONE',
  'UPDATE_SECURITY_QUESTIONS',
  /** Re-proves a factor already on file before a sensitive change (a phone change binds a new one). */
  'STEP_UP',
  /** Proves possession of a factor on file before a new first-time password is issued (POST /reset-user-ib). */
  'RESET_PASSWORD',
] as const;
/**
 * Purposes only a process of this service starts (never POST /mfa/challenges): REGISTRATION
 * sends to the mobile on file of the customer that self-registration matched.
 */
export const INTERNAL_MFA_PURPOSES = ['REGISTRATION'] as const;
export type MfaPurpose = (typeof MFA_PURPOSES)[number] | (typeof INTERNAL_MFA_PURPOSES)[number];

/**
 * A pre-login challenge is bound to no user: anyone holding mfa:prelogin can ask for one
 * to a number they type. It has budgets of its own (per caller, per destination) and
 * opens nothing a user's own challenge does.
 */
export const isPrelogin = (challenge: { userId?: string | null }): boolean => !challenge.userId;

/**
 * A challenge asked for by a caller not bound to its user (a pre-login app naming a
 * userId): it is `concealed`, so its answers tell nothing of the user. Whatever stops the
 * code (unknown, inactive or contactless user, user OTP lock, quotas, delivery) makes it
 * a decoy instead of a failure: PENDING, nothing sent, every code wrong. Such a challenge
 * is charged like a pre-login one (caller quota, the destinations' pre-login budget).
 */
export const isConcealed = (challenge: { conceal?: boolean }): boolean => challenge.conceal === true;

/** Purposes whose code always goes to the user's registered contacts, never to a given one. */
export const REGISTERED_CONTACT_PURPOSES: readonly MfaPurpose[] = [
  'LOGIN',
  'UPDATE_SECURITY_QUESTIONS',
  'STEP_UP',
  'RESET_PASSWORD',
];

/**
 * Purposes whose code goes only to the phone on file, a possession factor: a step-up before
 * a phone change and a password reset. Never to email (NIST SP 800-63B-4 excludes email as
 * an out-of-band authenticator): the mailbox alone must not move the phone nor the password.
 */
export const POSSESSION_ONLY_PURPOSES: readonly MfaPurpose[] = ['STEP_UP', 'RESET_PASSWORD'];

export const MFA_TYPE = 'SECURE_ACCESS_CODE';

/**
 * SENDING until the first code is out; PENDING while it can be verified; VERIFIED until
 * another process consumes it (CONSUMED) or the consume window passes. EXPIRED, LOCKED,
 * CANCELLED and FAILED (nothing could be sent) are final.
 */
export type MfaStatus =
  | 'SENDING'
  /** The contacts were looked up and offered; nothing is sent until the caller names its choice. */
  | 'OFFERED'
  | 'PENDING'
  | 'VERIFIED'
  | 'CONSUMED'
  | 'EXPIRED'
  | 'LOCKED'
  | 'CANCELLED'
  | 'FAILED';

/** The challenge policy, fixed at creation (from config; docs/design.md, "MFA policy"). */
export interface MfaPolicy {
  codeLength: number;
  ttlSeconds: number;
  maxVerifyAttempts: number;
  maxResends: number;
  resendCooldownSeconds: number;
  /** How long a VERIFIED challenge waits to be consumed before the run ends. */
  consumeWindowSeconds: number;
}

/** The hard cap on validity whatever the configuration says (NIST SP 800-63B: 10 minutes). */
export const MAX_OTP_TTL_SECONDS = 600;
export const DEFAULT_CONSUME_WINDOW_SECONDS = 15 * 60;

export interface MfaChallengeInput {
  serviceKey: string;
  purpose: MfaPurpose;
  /** The IB/MB user the challenge is bound to (required for LOGIN, UPDATE_PHONE, UPDATE_SECURITY_QUESTIONS, STEP_UP). */
  userId?: string;
  /** REGISTRATION: the customer whose mobile on file gets the code (no user exists yet). */
  customerId?: string;
  /** Destinations given by the caller; absent: the user's registered contacts. */
  phone?: string;
  email?: string;
  securityKeyDigest: string;
  policy: MfaPolicy;
  /** The caller is not bound to `userId`: answers must not tell whether a code went out (isConcealed). */
  conceal?: boolean;
  /**
   * Concealed only: the pre-login caller (token subject and client network) as a keyed
   * digest; its wrong codes count on its own pre-login lock of the user (preloginLockKey).
   */
  callerDigest?: string;
  /**
   * Offer, then send: the run looks the contacts up and sends nothing (`OFFERED`) until a
   * resend names the chosen ones (Infinity's `DISPLAY_ALL`). Absent: the code goes out at once.
   */
  offerOnly?: boolean;
  /** The contacts the first code goes to, by the referenceIds this service showed; absent: all. */
  choice?: DestinationChoice;
}

/**
 * Contacts chosen by the `referenceId`s of `customerCommunication` (Infinity's
 * `MFAAttributes.OTP.phone` / `OTP.email`). A channel left out gets nothing; no entry: all.
 */
export interface DestinationChoice {
  phone?: string;
  email?: string;
}

/** One destination as responses show it: masked, with an opaque reference. */
export interface ContactView {
  masked: string;
  referenceId: string;
}

export interface CustomerCommunication {
  phone: ContactView[];
  email: ContactView[];
}

/** What every response states (docs/design.md, "MFA policy"), also inside error details. */
export interface MfaCounters {
  status: MfaStatus;
  expiresAt: string;
  remainingVerifyAttempts: number;
  remainingResendAttempts: number;
  /** When a resend is allowed next; null when no resend is possible any more. */
  resendAvailableAt: string | null;
}

/** The challenge as the API and ops see it: no code, no key, no digest. */
export interface MfaState extends MfaCounters {
  processId: string;
  serviceKey: string;
  purpose: MfaPurpose;
  userId: string | null;
  mfaType: typeof MFA_TYPE;
  codeLength: number;
  createdAt: string;
  maxVerifyAttempts: number;
  maxResendRequestsAllowed: number;
  /** Every contact the challenge offers (masked, with its referenceId). */
  customerCommunication: CustomerCommunication;
  /** Whether the contacts were offered for a choice first (offerOnly), or the code went out at once. */
  deliveryMode: 'SEND_AT_ONCE' | 'OFFER_THEN_CHOOSE';
  /** referenceIds of the contacts the latest code went to (empty while OFFERED, and when concealed). */
  sentTo: { phone: string[]; email: string[] };
  verifiedAt: string | null;
  consumedAt: string | null;
  consumedBy: string | null;
  /** The business code a FAILED challenge ended with. */
  failureCode: string | null;
  /**
   * The first send, per destination (challenges sent per leg; never for a concealed one):
   * the code is verifiable once one leg is SENT while the others go on retrying.
   */
  deliveries?: LegView[];
}

export interface LegView {
  channel: 'SMS' | 'EMAIL';
  status: 'SENDING' | 'SENT' | 'FAILED';
}

/** What a caller may require of the challenge it names (the Infinity pairs pin purpose and user). */
export interface MfaBinding {
  purpose: MfaPurpose;
  /** null: a challenge bound to no user (a pre-login one); absent: any (but consume is strict). */
  userId?: string | null;
  /** destinationDigest() of an E.164 phone the code must have been sent to. */
  phoneDigest?: string;
}

export interface KeyProof {
  securityKeyDigest: string;
  expect?: MfaBinding;
}

/** A resend (or, on an OFFERED challenge, the first send) to the chosen contacts; no choice: all. */
export interface ResendArgs extends KeyProof {
  choice?: DestinationChoice;
}

export interface VerifyArgs extends KeyProof {
  /** otpDigest(serverKey, serviceKey, candidate): the candidate itself never leaves the API. */
  otpDigest: string;
}

export interface ConsumeArgs extends MfaBinding {
  /** The workflow id of the process that uses the verification (audit). */
  consumerProcessId: string;
}

export interface ConsumeResult {
  consumed: true;
  serviceKey: string;
  consumedAt: string;
}

/** Resolves once the first code is out (the create response), or fails with why nothing was sent. */
export const awaitInitialDeliveryUpdate = defineUpdate<MfaState>('awaitInitialDelivery');
export const verifyUpdate = defineUpdate<MfaState, [VerifyArgs]>('verify');
export const resendUpdate = defineUpdate<MfaState, [ResendArgs]>('resend');
export const cancelUpdate = defineUpdate<MfaState, [KeyProof]>('cancel');
/** Single use: a VERIFIED challenge is consumed once, by the process it was made for. */
export const consumeUpdate = defineUpdate<ConsumeResult, [ConsumeArgs]>('consume');

export const mfaStateQuery = defineQuery<MfaState>('mfaState');
/** Whether a securityKey digest is the challenge's (constant-time); works after the run ended. */
export const securityKeyMatchesQuery = defineQuery<boolean, [string]>('securityKeyMatches');

export const mfaProcessId = (serviceKey: string): string => `mfa-${serviceKey}`;

/**
 * Business codes of MFA refusals; each is thrown as a non-retryable ApplicationFailure
 * whose type is the code and whose first detail carries the counters.
 */
export const MFA_CODES = [
  'SECURITY_KEY_INVALID',
  'OTP_INVALID',
  'MAX_ATTEMPTS_EXCEEDED',
  'OTP_EXPIRED',
  'OTP_NOT_SENT',
  'ALREADY_VERIFIED',
  'CHALLENGE_CANCELLED',
  'CHALLENGE_NOT_VERIFIED',
  'ALREADY_CONSUMED',
  'CHALLENGE_MISMATCH',
  'RESEND_TOO_SOON',
  'RESEND_LIMIT_REACHED',
  'DESTINATION_RATE_LIMITED',
  'OTP_DELIVERY_FAILED',
  'USER_NOT_FOUND',
  'USER_NOT_ACTIVE',
  'NO_REGISTERED_CONTACT',
  'DESTINATION_NOT_ALLOWED',
  'USER_OTP_LOCKED',
] as const;
export type MfaCode = (typeof MFA_CODES)[number];

/** Why a challenge in this status refuses verify, resend and cancel. */
export const REFUSAL_BY_STATUS: Record<Exclude<MfaStatus, 'PENDING'>, MfaCode> = {
  SENDING: 'OTP_NOT_SENT',
  OFFERED: 'OTP_NOT_SENT',
  FAILED: 'OTP_NOT_SENT',
  VERIFIED: 'ALREADY_VERIFIED',
  CONSUMED: 'ALREADY_VERIFIED',
  EXPIRED: 'OTP_EXPIRED',
  LOCKED: 'MAX_ATTEMPTS_EXCEEDED',
  CANCELLED: 'CHALLENGE_CANCELLED',
};

import { defineSignal } from '@temporalio/workflow';

/**
 * The contract of FirstTimePasswordExpiry: one entity workflow per IB/MB user holding the
 * durable timer of the user's current first-time password (OWASP ASVS 5.0 §6.4.1). Started
 * or re-armed with signal-with-start by the process that issued the password (onboarding,
 * reset); stopped by the channel's first-login report. At the deadline it revokes the
 * password in core banking and tells the customer how to get a new one.
 */
export const PASSWORD_EXPIRY_WORKFLOW = 'FirstTimePasswordExpiry';

export const passwordExpiryProcessId = (userId: string): string => `pwexpiry-${userId}`;

/**
 * The issuance a first-time password is set under (its seal's context), recorded by core
 * banking with the password as `passwordIssuedBy`: the expiry revokes by it, never by
 * comparing core banking's clock with the workflow's.
 */
export const firstTimePasswordIssuance = (processId: string, userId: string): string =>
  `first-time-password:${processId}:${userId}`;

/** One issued first-time password: an opaque ref (never the password), who issued it, its life. */
export interface PasswordIssued {
  /** Identifies the issuance (the issuing run's business key): the same ref twice is one issuance. */
  ref: string;
  issuedBy: string;
  ttlMinutes: number;
  /** firstTimePasswordIssuance() of the password: core banking's passwordIssuedBy while it is in force. */
  passwordIssuedBy?: string;
}

export interface PasswordExpiryInput {
  userId: string;
  issued: PasswordIssued;
}

export interface FirstLogin {
  /** The token subject that reported it (audit trail). */
  reportedBy: string;
}

export interface PasswordExpiryResult {
  userId: string;
  outcome: 'FIRST_LOGIN' | 'EXPIRED';
  /** The issuance the outcome is about. */
  ref: string;
  /** EXPIRED: whether core banking still held the first-time password (false: it was changed already). */
  revoked?: boolean;
}

/** A new first-time password for the user: the timer restarts from now with its TTL. */
export const passwordIssuedSignal = defineSignal<[PasswordIssued]>('passwordIssued');
/** The customer logged in with the first-time password: the timer stops, the run ends. */
export const firstLoginSignal = defineSignal<[FirstLogin]>('firstLogin');

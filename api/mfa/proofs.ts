import type { Client } from '@temporalio/client';
import { heldChallenge } from '../../clients/mfa-challenge';
import {
  POSSESSION_ONLY_PURPOSES,
  type MfaBinding,
  type MfaPurpose,
  type MfaState,
} from '../../messages/mfa';
import { consumeRefusalCode } from '../../rules/mfa-proof';
import { businessProblem } from '../http/business-status';
import { ProblemError } from '../http/problem';

const notVerified = (detail: string) => businessProblem('MFA_NOT_VERIFIED', detail);

/**
 * The challenge the caller names, if they hold its securityKey. Its state is read, not
 * trusted: the workflow consumes the challenge, which is the authoritative check.
 */
export async function provenChallenge(
  client: Client,
  serverKey: Buffer,
  mfa: { serviceKey: string; securityKey: string },
): Promise<MfaState> {
  const held = await heldChallenge(client, serverKey, mfa);
  if (held === 'NOT_FOUND') throw notVerified('No such MFA challenge.');
  if (held === 'KEY_MISMATCH') throw notVerified('The securityKey does not match the MFA challenge.');
  return held;
}

/**
 * Why `state` cannot be consumed as this change's proof, in the caller's words; the same
 * rule the challenge's consume validator applies (rules/mfa-proof.ts).
 */
function proofRefusal(state: MfaState, expect: MfaBinding, name: string): string | null {
  const code = consumeRefusalCode(state, expect);
  if (code === 'CHALLENGE_MISMATCH') return `The ${name} challenge was made for another purpose or user.`;
  if (code) return `The ${name} challenge is ${state.status.toLowerCase()}, not verified and unused.`;
  // A step-up or reset proves the phone on file: a code that also went to a mailbox (a
  // challenge from before codes of these purposes went to the phone only) proves nothing.
  if (POSSESSION_ONLY_PURPOSES.includes(state.purpose) && !phoneBound(state)) {
    return `The ${name} challenge's code did not go to the phone on file only.`;
  }
  return null;
}

const phoneBound = (state: MfaState) =>
  state.customerCommunication.phone.length > 0 && state.customerCommunication.email.length === 0;

/** Refuses early (nothing started) when the challenge cannot be the proof for this change. */
export function assertUsableFor(state: MfaState, userId: string): void {
  assertProofFor(state, 'UPDATE_PHONE', userId);
}

/**
 * The same early refusal for every process that consumes a proof (phone change, reset,
 * security questions): this purpose, this user, VERIFIED and unused. The workflow's consume decides.
 */
export function assertProofFor(state: MfaState, purpose: MfaPurpose, userId: string): void {
  const refusal = proofRefusal(state, { purpose, userId }, 'MFA');
  if (refusal) throw notVerified(refusal);
}

/**
 * An onboarding's phoneProof: a pre-login ONBOARDING challenge (bound to no user), VERIFIED
 * and unused. Whether it proves the mobile on file is the workflow's consume to decide.
 */
export function assertPhoneProof(state: MfaState): void {
  const refusal = proofRefusal(state, { purpose: 'ONBOARDING' }, 'phoneProof');
  if (refusal) throw notVerified(refusal);
}

/** 403 MFA_REQUIRED: a process that consumes a proof was called without one. */
export const mfaRequired = (purpose: MfaPurpose) =>
  businessProblem('MFA_REQUIRED', `A verified ${purpose} challenge (mfa) is required.`);

const stepUpRequired = (detail: string) => businessProblem('STEP_UP_REQUIRED', detail);

/** The step-up proof the caller names; any failure to prove it is STEP_UP_REQUIRED. */
export async function provenStepUp(
  client: Client,
  serverKey: Buffer,
  stepUp: { serviceKey: string; securityKey: string },
): Promise<MfaState> {
  try {
    return await provenChallenge(client, serverKey, stepUp);
  } catch (e) {
    if (e instanceof ProblemError && e.code === 'MFA_NOT_VERIFIED') throw stepUpRequired(e.detail ?? e.title);
    throw e;
  }
}

/**
 * A phone change binds a new authenticator, so it needs a fresh proof of one already
 * on file: a STEP_UP challenge (its code went to the registered contacts only).
 */
export function assertStepUpFor(state: MfaState, userId: string): void {
  const refusal = proofRefusal(state, { purpose: 'STEP_UP', userId }, 'stepUp');
  if (refusal) throw stepUpRequired(refusal);
}

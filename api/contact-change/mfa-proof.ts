import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { securityKeyDigest } from '../../lib/mfa-crypto';
import {
  mfaProcessId,
  mfaStateQuery,
  securityKeyMatchesQuery,
  type MfaPurpose,
  type MfaState,
} from '../../messages/mfa';
import { ProblemError } from '../problem';

const notVerified = (detail: string) => new ProblemError(403, 'MFA_NOT_VERIFIED', 'MFA not verified', detail);

/**
 * The challenge the caller names, if they hold its securityKey. Its state is read, not
 * trusted: the workflow consumes the challenge, which is the authoritative check.
 */
export async function provenChallenge(
  client: Client,
  serverKey: Buffer,
  mfa: { serviceKey: string; securityKey: string },
): Promise<MfaState> {
  const handle = client.workflow.getHandle(mfaProcessId(mfa.serviceKey));
  try {
    const matches = await handle.query(
      securityKeyMatchesQuery,
      securityKeyDigest(serverKey, mfa.securityKey),
    );
    if (!matches) throw notVerified('The securityKey does not match the MFA challenge.');
    return await handle.query(mfaStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw notVerified('No such MFA challenge.');
    throw e;
  }
}

/** Refuses early (nothing started) when the challenge cannot be the proof for this change. */
export function assertUsableFor(state: MfaState, userId: string): void {
  if (state.purpose !== 'UPDATE_PHONE') throw notVerified('The MFA challenge was made for another purpose.');
  if (state.userId !== userId) throw notVerified('The MFA challenge was made for another user.');
  if (state.status !== 'VERIFIED') {
    throw notVerified(`The MFA challenge is ${state.status.toLowerCase()}, not verified and unused.`);
  }
}

/**
 * The same early refusal for the other processes that consume a proof (reset, security
 * questions): this purpose, this user, VERIFIED and unused. The workflow's consume decides.
 */
export function assertProofFor(state: MfaState, purpose: MfaPurpose, userId: string): void {
  if (state.purpose !== purpose) throw notVerified('The MFA challenge was made for another purpose.');
  if (state.userId !== userId) throw notVerified('The MFA challenge was made for another user.');
  if (state.status !== 'VERIFIED') {
    throw notVerified(`The MFA challenge is ${state.status.toLowerCase()}, not verified and unused.`);
  }
}

/** 403 MFA_REQUIRED: a process that consumes a proof was called without one. */
export const mfaRequired = (purpose: MfaPurpose) =>
  new ProblemError(403, 'MFA_REQUIRED', 'MFA required', `A verified ${purpose} challenge (mfa) is required.`);

const stepUpRequired = (detail: string) =>
  new ProblemError(403, 'STEP_UP_REQUIRED', 'Step-up required', detail);

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
  if (state.purpose !== 'STEP_UP') throw stepUpRequired('The stepUp challenge was made for another purpose.');
  if (state.userId !== userId) throw stepUpRequired('The stepUp challenge was made for another user.');
  if (state.status !== 'VERIFIED') {
    throw stepUpRequired(`The stepUp challenge is ${state.status.toLowerCase()}, not verified and unused.`);
  }
}

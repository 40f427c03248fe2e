import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { findCause } from '../lib/failure-chain';
import { isBusinessCode, type BusinessCode } from '../messages/failures';

/**
 * What the clients answer besides a result: typed refusals in the domain's words. The API
 * maps them to problem+json in one place (api/http/to-problem.ts); an activity rethrows a
 * Refusal as its own non-retryable failure (activities/failures.ts).
 */

/** Refusals made before or instead of asking a workflow (by a client or the API). */
export const API_REFUSAL_CODES = [
  'ONBOARDING_IN_PROGRESS',
  'UPDATE_IN_PROGRESS',
  'MFA_REQUIRED',
  'CALLER_RATE_LIMITED',
  'USER_RATE_LIMITED',
  'RATE_LIMITED',
  'CHALLENGE_NOT_FOUND',
  'NOT_CANCELLABLE',
  'REGISTRATION_IN_PROGRESS',
] as const;
export type ApiRefusalCode = (typeof API_REFUSAL_CODES)[number];
export type RefusalCode = BusinessCode | ApiRefusalCode;

/**
 * A business refusal: the code, the workflow's words (`stated`; none: the code's title
 * answers) and its extensions (a failure's first detail).
 */
export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly stated?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(stated ?? code);
    this.name = 'Refusal';
  }
}

/** The same idempotency key came with another request body. */
export class KeyReused extends Error {
  constructor() {
    super('This idempotency key was used with a different request body.');
    this.name = 'KeyReused';
  }
}

/** The engine did not answer a start in time and no run of this request was found: it may exist. */
export class MayHaveStarted extends Error {
  constructor(readonly processId: string) {
    super(`The start of ${processId} was not answered in time.`);
    this.name = 'MayHaveStarted';
  }
}

/** A run that ended without a business outcome (a bug, a termination or a cancellation). */
export class ProcessFailed extends Error {
  constructor(
    readonly processId: string,
    readonly kind: 'terminated' | 'cancelled' | 'failed',
  ) {
    super(`The process ${kind}.`);
    this.name = 'ProcessFailed';
  }
}

/** The first business failure in an error's cause chain (an activity's or an Update's refusal arrives wrapped). */
export function businessFailureIn(err: unknown): (ApplicationFailure & { type: BusinessCode }) | undefined {
  return findCause(
    err,
    (e): e is ApplicationFailure & { type: BusinessCode } =>
      e instanceof ApplicationFailure && isBusinessCode(e.type ?? undefined),
  );
}

/** The business failure in an error's cause chain as a Refusal, else undefined. */
export function refusalIn(err: unknown, extra: Record<string, unknown> = {}): Refusal | undefined {
  const cause = businessFailureIn(err);
  return cause && new Refusal(cause.type, cause.message, { ...extra, ...failureDetails(cause) });
}

/** An Update the workflow refused (its validator or handler) with a business code, as a Refusal. */
export function updateRefusal(e: unknown): Refusal | undefined {
  return e instanceof WorkflowUpdateFailedError ? refusalIn(e) : undefined;
}

/** The extensions a business failure carries in its first detail. */
function failureDetails(failure: ApplicationFailure): Record<string, unknown> {
  return (failure.details?.[0] ?? {}) as Record<string, unknown>;
}

import { KeyReused, MayHaveStarted, ProcessFailed, Refusal } from '../../clients/refusal';
import { isOutcomeUnknown, isTemporalUnavailable, missingSearchAttribute } from '../../clients/temporal';
import { businessProblem } from './business-status';
import { ProblemError, problems } from './problem';

/**
 * Every error an API request ends with, as problem+json: the one place a client's typed
 * refusal (clients/refusal.ts) becomes an HTTP answer.
 */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof Refusal) return refusalProblem(err);
  if (err instanceof KeyReused) {
    return new ProblemError(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', err.message);
  }
  if (err instanceof MayHaveStarted) {
    const { processId } = err;
    return new ProblemError(
      503,
      'SERVICE_UNAVAILABLE',
      'Service unavailable',
      'The workflow engine did not answer in time: the process may have been started. Retry with the same idempotency key: a retry replays that process if it started and starts nothing twice.',
      { processId, statusUrl: `/processes/${encodeURIComponent(processId)}` },
      { 'Retry-After': '5' },
    );
  }
  if (err instanceof ProcessFailed) {
    return new ProblemError(
      500,
      'PROCESS_FAILED',
      'Process failed',
      `The process ${err.kind}; see its audit trail.`,
      { processId: err.processId },
    );
  }
  if (isOutcomeUnknown(err)) {
    return problems.unavailable(
      'The workflow engine did not answer in time; the request may have taken effect. Retry with the same idempotency key: a retry replays what was done and repeats nothing.',
    );
  }
  if (isTemporalUnavailable(err)) {
    return problems.unavailable('The workflow engine is not reachable; nothing was started. Retry later.');
  }
  const missing = missingSearchAttribute(err);
  if (missing) return problems.searchAttributesMissing([missing]);
  return problems.internal();
}

/** Whether an error is an answer (a refusal, a problem) rather than a fault to log. */
export function isAnswer(err: unknown): boolean {
  return [ProblemError, Refusal, KeyReused, MayHaveStarted, ProcessFailed].some((t) => err instanceof t);
}

/**
 * A refusal's problem: status and title from the one table, its details as extensions. A
 * challenge's status is `challengeStatus` there: `status` is the HTTP status in problem+json.
 */
function refusalProblem(r: Refusal): ProblemError {
  const { status: challengeStatus, ...rest } = r.details;
  return businessProblem(r.code, r.stated, {
    ...(challengeStatus !== undefined && { challengeStatus }),
    ...rest,
  });
}

import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ProblemError } from '../http/problem';
import { BudgetExceeded, withinBudget } from '../http/wait-budget';
import { businessFailureIn, businessProblem, failureExtensions } from '../http/business-status';

export type Outcome<R> =
  { kind: 'completed'; result: R } | { kind: 'failed'; problem: ProblemError } | { kind: 'running' };

/**
 * Waits up to `waitMs` for a run to finish. The long poll is aborted at the budget, so
 * nothing keeps polling for a request that was already answered 202.
 */
export async function awaitOutcome<R>(
  client: Client,
  handle: WorkflowHandle,
  waitMs: number,
): Promise<Outcome<R>> {
  try {
    const result = (await withinBudget(client, waitMs, () => handle.result())) as R;
    return { kind: 'completed', result };
  } catch (err) {
    if (err instanceof WorkflowFailedError)
      return { kind: 'failed', problem: failureToProblem(err, handle.workflowId) };
    if (err instanceof BudgetExceeded) return { kind: 'running' };
    throw err;
  }
}

/** A run's failure as problem+json: business codes keep their code and extensions. */
export function failureToProblem(err: WorkflowFailedError, processId: string): ProblemError {
  const cause = businessFailureIn(err.cause);
  if (cause) return businessProblem(cause.type, cause.message, { processId, ...failureExtensions(cause) });
  const name = err.cause?.name;
  const kind =
    name === 'TerminatedFailure' ? 'terminated' : name === 'CancelledFailure' ? 'cancelled' : 'failed';
  return new ProblemError(
    500,
    'PROCESS_FAILED',
    'Process failed',
    `The process ${kind}; see its audit trail.`,
    { processId },
  );
}

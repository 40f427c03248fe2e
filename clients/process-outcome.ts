import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { BudgetExceeded, withinBudget } from './budget';
import { ProcessFailed, refusalIn, type Refusal } from './refusal';

export type Outcome<R> =
  | { kind: 'completed'; result: R }
  | { kind: 'failed'; refusal: Refusal | ProcessFailed }
  | { kind: 'running' };

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
      return { kind: 'failed', refusal: runFailure(err, handle.workflowId) };
    if (err instanceof BudgetExceeded) return { kind: 'running' };
    throw err;
  }
}

/** Why a run failed: its business code and extensions (with its processId), or how it ended. */
export function runFailure(err: WorkflowFailedError, processId: string): Refusal | ProcessFailed {
  const refusal = refusalIn(err.cause, { processId });
  if (refusal) return refusal;
  const name = err.cause?.name;
  return new ProcessFailed(
    processId,
    name === 'TerminatedFailure' ? 'terminated' : name === 'CancelledFailure' ? 'cancelled' : 'failed',
  );
}

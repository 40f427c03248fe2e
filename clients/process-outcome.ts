import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { processStateQuery, type ProcessState } from '../messages/process';
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

const QUERY_BUDGET_MS = 5_000;

export type ProcessStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

/** A process as its run tells it, also after it ended. */
export interface ProcessRecord {
  processType: string;
  status: ProcessStatus;
  startedAt: Date;
  closedAt: Date | null;
  /** From the workflow itself; null without a worker to answer (unavailable, not fatal). */
  state: ProcessState | null;
  result?: unknown;
  failure?: Refusal | ProcessFailed;
}

/**
 * The run with this id, or null when there is none or `visible` refuses its memo (checked
 * before anything else is read: a hidden run costs what a missing one does).
 */
export async function readProcess(
  client: Client,
  processId: string,
  visible: (memo: Record<string, unknown> | undefined) => boolean,
): Promise<ProcessRecord | null> {
  const handle = client.workflow.getHandle(processId);
  let desc;
  try {
    desc = await handle.describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
  if (!visible(desc.memo)) return null;
  const status = desc.status.name as ProcessStatus;
  const state = await client
    .withDeadline(Date.now() + QUERY_BUDGET_MS, () => handle.query(processStateQuery))
    .catch(() => null);
  const record: ProcessRecord = {
    processType: desc.type,
    status,
    startedAt: desc.startTime,
    closedAt: desc.closeTime ?? null,
    state,
  };
  if (status === 'COMPLETED') record.result = await handle.result();
  if (status !== 'RUNNING' && status !== 'COMPLETED') {
    try {
      await handle.result();
    } catch (e) {
      if (!(e instanceof WorkflowFailedError)) throw e;
      record.failure = runFailure(e, processId);
    }
  }
  return record;
}

import type { Response } from 'express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { awaitOutcome } from './outcome';

/**
 * The answer to a write that started (or replayed) a process: its result within the
 * wait budget (201, or `doneStatus`), its problem if it failed, else 202 with where to look.
 */
export async function respondWithOutcome(
  res: Response,
  client: Client,
  started: { handle: WorkflowHandle; replayed: boolean },
  waitMs: number,
  doneStatus = 201,
): Promise<void> {
  const { handle, replayed } = started;
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  const outcome = await awaitOutcome(client, handle, waitMs);
  if (outcome.kind === 'failed') throw outcome.problem;
  if (outcome.kind === 'completed') {
    res.status(doneStatus).json(outcome.result);
    return;
  }
  const statusUrl = `/processes/${encodeURIComponent(handle.workflowId)}`;
  res.status(202).location(statusUrl).setHeader('Retry-After', '2');
  res.json({ processId: handle.workflowId, status: 'RUNNING', statusUrl });
}

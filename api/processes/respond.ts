import type { Request, Response } from 'express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../../config';
import { waitBudgetMs } from '../http/wait-budget';
import { awaitOutcome, type Outcome } from '../../clients/process-outcome';

const RUNNING: Outcome<never> = { kind: 'running' };

/**
 * The answer to a write that started (or replayed) a process: its result within the
 * wait budget (`Prefer: wait=N`; 201, or `doneStatus`), its problem if it failed, else
 * 202 with where to look.
 */
export async function respondWithOutcome(
  req: Request,
  res: Response,
  deps: { client: Client; config: Config },
  started: { handle: WorkflowHandle; replayed: boolean; milestone?: unknown },
  doneStatus = 201,
): Promise<void> {
  const { handle, replayed } = started;
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  const statusUrl = `/processes/${encodeURIComponent(handle.workflowId)}`;
  if (started.milestone !== undefined) {
    // Early Return: the milestone, while the run goes on; its outcome is at statusUrl.
    res.status(202).location(statusUrl).setHeader('Retry-After', '2');
    res.json({ ...(started.milestone as object), statusUrl });
    return;
  }
  const waitMs = waitBudgetMs(req, deps.config.API_WAIT_BUDGET_MS, deps.config.API_MAX_WAIT_SECONDS);
  // A run this request just started cannot have finished yet: with no wait budget it is
  // answered at once, without opening (and aborting) a long poll on its result.
  const outcome = waitMs > 0 || replayed ? await awaitOutcome(deps.client, handle, waitMs) : RUNNING;
  if (outcome.kind === 'failed') throw outcome.refusal;
  if (outcome.kind === 'completed') {
    res.status(doneStatus).json(outcome.result);
    return;
  }
  res.status(202).location(statusUrl).setHeader('Retry-After', '2');
  res.json({ processId: handle.workflowId, status: 'RUNNING', statusUrl });
}

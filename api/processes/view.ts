import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { processStateQuery, type ProcessState } from '../../messages/process';
import type { Principal } from '../http/auth';
import { problemBody, problems } from '../http/problem';
import { runFailure } from '../../clients/process-outcome';
import { toProblem } from '../http/to-problem';
import { mayRead } from './readers';

const QUERY_BUDGET_MS = 5_000;

export type ProcessStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

export interface ProcessView {
  processId: string;
  processType: string;
  status: ProcessStatus;
  startedAt: string;
  closedAt: string | null;
  step: string | null;
  result?: unknown;
  error?: Record<string, unknown>;
  auditTrail: ProcessState['auditTrail'] | null;
}

/**
 * Status, result or error, and the audit trail of a process, also after it ended. A reader
 * who may not see it (api/processes/readers.ts) gets the same 404 as for a missing one.
 */
export async function processView(
  client: Client,
  processId: string,
  reader: Principal,
): Promise<ProcessView> {
  const handle = client.workflow.getHandle(processId);
  let desc;
  try {
    desc = await handle.describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw problems.notFound(`Process ${processId}`);
    throw e;
  }
  if (!mayRead(reader, desc.memo)) throw problems.notFound(`Process ${processId}`);
  const status = desc.status.name as ProcessStatus;
  // The audit trail comes from the workflow itself; without a worker it is unavailable, not fatal.
  const state = await client
    .withDeadline(Date.now() + QUERY_BUDGET_MS, () => handle.query(processStateQuery))
    .catch(() => null);
  const view: ProcessView = {
    processId,
    processType: desc.type,
    status,
    startedAt: desc.startTime.toISOString(),
    closedAt: desc.closeTime?.toISOString() ?? null,
    step: state?.step ?? null,
    auditTrail: state?.auditTrail ?? null,
  };
  if (status === 'COMPLETED') view.result = await handle.result();
  if (status !== 'RUNNING' && status !== 'COMPLETED') {
    try {
      await handle.result();
    } catch (e) {
      if (!(e instanceof WorkflowFailedError)) throw e;
      const {
        type: _t,
        title: _ti,
        instance: _i,
        requestId: _r,
        ...error
      } = problemBody(toProblem(runFailure(e, processId)));
      view.error = error;
    }
  }
  return view;
}

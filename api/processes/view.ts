import type { Client } from '@temporalio/client';
import { readProcess, type ProcessStatus } from '../../clients/process-outcome';
import type { ProcessState } from '../../messages/process';
import type { Principal } from '../http/auth';
import { problemBody, problems } from '../http/problem';
import { toProblem } from '../http/to-problem';
import { mayRead } from './readers';

export type { ProcessStatus };

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
  const run = await readProcess(client, processId, (memo) => mayRead(reader, memo));
  if (!run) throw problems.notFound(`Process ${processId}`);
  const view: ProcessView = {
    processId,
    processType: run.processType,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    closedAt: run.closedAt?.toISOString() ?? null,
    step: run.state?.step ?? null,
    auditTrail: run.state?.auditTrail ?? null,
  };
  if (run.status === 'COMPLETED') view.result = run.result;
  if (run.failure) {
    const {
      type: _t,
      title: _ti,
      instance: _i,
      requestId: _r,
      ...error
    } = problemBody(toProblem(run.failure));
    view.error = error;
  }
  return view;
}

import type { Request } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ProcessType as ProcessTypeName } from '../../messages/process';
import { ProcessType } from '../../messages/search-attributes';
import { userId as userIdSchema } from '../http/fields';
import { businessProblem } from '../http/business-status';
import { problems } from '../http/problem';
import { startIdempotent, type StartedProcess } from '../../clients/process-start';
import type { StarterMemo } from './readers';

/** The `{userId}` of a `/users/{userId}/…` route, or 400. */
export function userIdParam(req: Request): string {
  const parsed = userIdSchema.safeParse(req.params.userId);
  if (!parsed.success) throw problems.validation([{ path: 'userId', message: 'an IB/MB user id' }]);
  return parsed.data;
}

/**
 * Starts one of a user's credential processes (reset, status change, security questions)
 * or replays this request's: one at a time per user (the id is per user), a new one once
 * it has ended; another one in flight is 409 CREDENTIALS_CHANGE_IN_PROGRESS.
 */
export function startUserProcess(
  client: Client,
  o: {
    workflowType: string;
    processId: string;
    processType: ProcessTypeName;
    input: { requestId: string };
    taskQueue: string;
    digest: string;
    starter: StarterMemo;
    summary: string;
    details: string;
    /** What is in flight, for the 409's detail. */
    inFlight: string;
    beforeStart?: () => Promise<void>;
  },
): Promise<StartedProcess> {
  return startIdempotent(client, {
    workflowType: o.workflowType,
    workflowId: o.processId,
    taskQueue: o.taskQueue,
    args: [o.input],
    requestId: o.input.requestId,
    digest: o.digest,
    starter: o.starter,
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    searchAttributes: [{ key: ProcessType, value: o.processType }],
    staticSummary: o.summary,
    staticDetails: o.details,
    inFlight: () =>
      businessProblem('CREDENTIALS_CHANGE_IN_PROGRESS', `${o.inFlight} for this user is in flight.`, {
        processId: o.processId,
      }),
    ...(o.beforeStart && { beforeStart: o.beforeStart }),
  });
}

import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  contactChangeProcessId,
  phoneChangeProcessId,
  UPDATE_CONTACT_INFO_WORKFLOW,
  UPDATE_USER_PHONE_WORKFLOW,
  type UpdateContactInfoInput,
  type UpdateUserPhoneInput,
} from '../../messages/contact-change';
import { CustomerId, ProcessType } from '../../messages/search-attributes';
import { businessProblem } from '../http/business-status';
import {
  startIdempotent,
  type IdempotentStartOptions,
  type StartedProcess,
} from '../../clients/process-start';
import type { StarterMemo } from '../processes/readers';

interface StartContext {
  taskQueue: string;
  digest: string;
  starter: StarterMemo;
}

/** What both contact changes start alike: one run per entity at a time, a new change after it ends. */
function changeStart(
  workflowType: string,
  processId: string,
  input: { requestId: string },
  ctx: StartContext,
): Pick<
  IdempotentStartOptions,
  'workflowType' | 'workflowId' | 'taskQueue' | 'args' | 'requestId' | 'digest' | 'starter' | 'reusePolicy'
> {
  return {
    workflowType,
    workflowId: processId,
    taskQueue: ctx.taskQueue,
    args: [input],
    requestId: input.requestId,
    digest: ctx.digest,
    starter: ctx.starter,
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  };
}

/**
 * Starts the user's phone change or finds the run this request started. One change per
 * user at a time (the id is per user); `beforeStart` refuses proofs that cannot work.
 */
export function startPhoneChange(
  client: Client,
  userId: string,
  input: UpdateUserPhoneInput,
  ctx: StartContext & { beforeStart: () => Promise<void> },
): Promise<StartedProcess> {
  const processId = phoneChangeProcessId(userId);
  return startIdempotent(client, {
    ...changeStart(UPDATE_USER_PHONE_WORKFLOW, processId, input, ctx),
    searchAttributes: [
      { key: ProcessType, value: 'UPDATE_USER_PHONE' },
      ...(input.customerId ? [{ key: CustomerId, value: input.customerId }] : []),
    ],
    staticSummary: `Update phone · user ${userId}`,
    staticDetails: `Request ${input.requestId}. Steps: look up → consume MFA and step-up proofs → (notify, cooling-off) → core banking → linked systems → notices.`,
    inFlight: () =>
      businessProblem('UPDATE_IN_PROGRESS', 'A phone change for this user is in flight.', { processId }),
    beforeStart: ctx.beforeStart,
  });
}

/**
 * Starts the institution's contact change for a customer. `keyed`: the caller sent an
 * Idempotency-Key, so any run it started replays; without one only the latest change does.
 */
export function startContactInfoChange(
  client: Client,
  input: UpdateContactInfoInput,
  ctx: StartContext & { keyed: boolean; subject: string },
): Promise<StartedProcess> {
  const processId = contactChangeProcessId(input.customerId);
  return startIdempotent(client, {
    ...changeStart(UPDATE_CONTACT_INFO_WORKFLOW, processId, input, ctx),
    replays: ctx.keyed ? 'any' : 'latest',
    searchAttributes: [
      { key: CustomerId, value: input.customerId },
      { key: ProcessType, value: 'UPDATE_CONTACT_INFO' },
    ],
    staticSummary: `Update contact info · customer ${input.customerId}`,
    staticDetails: `Request ${input.requestId} by ${ctx.subject}.`,
    inFlight: () =>
      businessProblem('UPDATE_IN_PROGRESS', 'A contact change for this customer is in flight.', {
        processId,
      }),
  });
}

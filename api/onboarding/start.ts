import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  ONBOARD_WORKFLOW,
  onboardingProcessId,
  userCreatedUpdate,
  type OnboardIbUserInput,
} from '../../messages/onboarding';
import { Channel, CustomerId, ProcessType } from '../../messages/search-attributes';
import { startIdempotent, type StartedProcess } from '../../clients/process-start';
import type { StarterMemo } from '../processes/readers';
import { businessProblem } from '../http/business-status';

/**
 * Starts the customer's onboarding or finds the run this request already started.
 * The workflow id is per customer, so two onboardings can never run at once; a
 * completed one blocks new ones; a failed one may be followed by a new request.
 */
export function startOnboarding(
  client: Client,
  taskQueue: string,
  input: OnboardIbUserInput,
  digest: string,
  starter: StarterMemo,
  /** Answer once the user exists (Early Return), not at the outcome. */
  atUserCreated = false,
  /** Checks only a new run needs (a phoneProof's), skipped by replays. */
  beforeStart?: () => Promise<void>,
): Promise<StartedProcess> {
  const processId = onboardingProcessId(input.customerId, input.userReference);
  return startIdempotent(client, {
    workflowType: ONBOARD_WORKFLOW,
    workflowId: processId,
    taskQueue,
    args: [input],
    requestId: input.requestId,
    digest,
    starter,
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    searchAttributes: [
      { key: CustomerId, value: input.customerId },
      { key: ProcessType, value: 'ONBOARD_IB_USER' },
      { key: Channel, value: input.channel },
    ],
    staticSummary: `Open IB/MB user · customer ${input.customerId} · ${input.channel}`,
    staticDetails: `Request ${input.requestId}. Steps: eligibility → core-banking user → username to channel → first-time password SMS.`,
    ...(atUserCreated && { milestone: userCreatedUpdate }),
    ...(beforeStart && { beforeStart }),
    inFlight: () =>
      businessProblem('ONBOARDING_IN_PROGRESS', 'This customer already has an onboarding in flight.', {
        processId,
      }),
    completed: () =>
      businessProblem('ALREADY_REGISTERED', 'The customer already has an IB/MB user.', { processId }),
  });
}

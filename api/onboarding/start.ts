import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { ONBOARD_WORKFLOW, onboardingProcessId, type OnboardIbUserInput } from '../../messages/onboarding';
import { Channel, CustomerId, ProcessType } from '../../messages/search-attributes';
import { keyReused } from '../idempotency';
import { ProblemError } from '../problem';

interface RequestMemo {
  requestId?: string;
  requestDigest?: string;
}

export interface StartedOnboarding {
  handle: WorkflowHandle;
  /** True when this request replays an earlier one with the same key. */
  replayed: boolean;
}

/**
 * Starts the customer's onboarding or finds the run this request already started.
 * The workflow id is per customer, so two onboardings can never run at once; a
 * completed one blocks new ones; a failed one may be followed by a new request.
 */
export async function startOnboarding(
  client: Client,
  taskQueue: string,
  input: OnboardIbUserInput,
  digest: string,
): Promise<StartedOnboarding> {
  const processId = onboardingProcessId(input.customerId);
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await findRun(client, processId, input.requestId, digest);
    if (existing) return { handle: existing, replayed: true };
    try {
      const handle = await client.workflow.start(ONBOARD_WORKFLOW, {
        taskQueue,
        workflowId: processId,
        args: [input],
        memo: { requestId: input.requestId, requestDigest: digest } satisfies RequestMemo,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: CustomerId, value: input.customerId },
          { key: ProcessType, value: 'ONBOARD_IB_USER' },
          { key: Channel, value: input.channel },
        ],
        staticSummary: `Open IB/MB user · customer ${input.customerId} · ${input.channel}`,
        staticDetails: `Request ${input.requestId}. Steps: eligibility → core-banking user → username to channel → first-time password SMS.`,
      });
      return { handle, replayed: false };
    } catch (e) {
      // Lost a race with another request for the same customer: look again.
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }
  throw conflict(processId);
}

/** The run started with this key, or a refusal when the customer's latest run stands in the way. */
async function findRun(
  client: Client,
  processId: string,
  requestId: string,
  digest: string,
): Promise<WorkflowHandle | null> {
  let latest;
  try {
    latest = await client.workflow.getHandle(processId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
  const memo = (latest.memo ?? {}) as RequestMemo;
  if (memo.requestId === requestId) return sameBody(memo, digest, client, processId, latest.runId);
  // An older (failed) run may carry this key: the same key always replays its own run.
  for await (const run of client.workflow.list({ query: `WorkflowId = '${processId}'` })) {
    const m = (run.memo ?? {}) as RequestMemo;
    if (m.requestId === requestId) return sameBody(m, digest, client, processId, run.runId);
  }
  if (latest.status.name === 'RUNNING') throw conflict(processId);
  if (latest.status.name === 'COMPLETED') {
    throw new ProblemError(
      409,
      'ALREADY_REGISTERED',
      'Already registered',
      'The customer already has an IB/MB user.',
      {
        processId,
      },
    );
  }
  return null;
}

function sameBody(memo: RequestMemo, digest: string, client: Client, processId: string, runId: string) {
  if (memo.requestDigest !== digest) throw keyReused();
  return client.workflow.getHandle(processId, runId, { followRuns: false });
}

const conflict = (processId: string) =>
  new ProblemError(
    409,
    'ONBOARDING_IN_PROGRESS',
    'Onboarding in progress',
    'This customer already has an onboarding in flight.',
    {
      processId,
    },
  );

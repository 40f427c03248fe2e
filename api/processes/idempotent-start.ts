import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { keyReused } from '../http/idempotency';
import { ProblemError } from '../http/problem';
import { isOutcomeUnknown } from '../temporal';
import type { StarterMemo } from './readers';

interface RequestMemo {
  requestId?: string;
  requestDigest?: string;
}

export interface IdempotentStartOptions {
  workflowType: string;
  /** One id per business entity (customer, user): at most one run in flight for it. */
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  requestId: string;
  /** requestDigest() of the body: the same key with another body is refused. */
  digest: string;
  /** The caller, recorded so that only it (or processes:read-all) reads the process. */
  starter: StarterMemo;
  reusePolicy: WorkflowIdReusePolicy;
  searchAttributes: SearchAttributePair[];
  staticSummary: string;
  staticDetails: string;
  /** The refusal while another request's run is in flight. */
  inFlight: () => ProblemError;
  /** The refusal after another request's run completed; undefined: a new run may start. */
  completed?: () => ProblemError;
  /** Checks that only a new run needs (replays skip them); throws to refuse. */
  beforeStart?: () => Promise<void>;
  /**
   * Which runs a key replays: any run it started (a caller's key), or only the entity's
   * latest (a key derived from the body: the same body again after another change is a
   * new request, not a retry).
   */
  replays?: 'any' | 'latest';
  /**
   * Early Return: a fresh run is started with this Update (update-with-start) and the
   * request is answered with its result, the first milestone, instead of the outcome.
   */
  milestone?: UpdateDefinition<unknown, []>;
}

const START_BUDGET_MS = 5_000;
/** After a start went unanswered: how long to look for the run it may have started. */
const LOOKUP_BUDGET_MS = 2_000;

/** Bounds the Temporal calls of a start: with Temporal down the caller gets a prompt 503, not a hang. */
export function withStartBudget<T>(client: Client, start: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + START_BUDGET_MS, start);
}

export interface StartedProcess {
  handle: WorkflowHandle;
  /** True when this request replays an earlier one with the same key. */
  replayed: boolean;
  /** The milestone Update's answer, when a fresh run was started with it. */
  milestone?: unknown;
}

/**
 * Starts a process once per idempotency key: the same key and body finds the run it
 * started (also an older, ended one), the same key with another body is 422, and the
 * entity's id keeps a second request from running beside the first.
 */
export async function startIdempotent(client: Client, o: IdempotentStartOptions): Promise<StartedProcess> {
  // Fast path, one round trip: an entity that never had a run starts at once. REJECT_DUPLICATE
  // lets this start succeed only where findRun would have found nothing (no run, of any
  // status, with this id), so replays and refusals are exactly those of the path below.
  if (!o.beforeStart) {
    try {
      if (o.milestone)
        return await startWithMilestone(client, o, o.milestone, WorkflowIdReusePolicy.REJECT_DUPLICATE);
      return { handle: await start(client, o, WorkflowIdReusePolicy.REJECT_DUPLICATE), replayed: false };
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await findRun(client, o);
    if (existing)
      return o.milestone ? replayMilestone(existing, o.milestone) : { handle: existing, replayed: true };
    await o.beforeStart?.();
    try {
      if (o.milestone) return await startWithMilestone(client, o, o.milestone, o.reusePolicy);
      return { handle: await start(client, o, o.reusePolicy), replayed: false };
    } catch (e) {
      // Lost a race with another request for the same entity: look again.
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }
  throw o.inFlight();
}

/**
 * Starts the run. A start the engine did not answer in time may still have started it:
 * the entity's latest run is looked up (with a budget of its own) before anything is
 * answered, and when that finds nothing either the caller hears "may have started".
 */
async function start(
  client: Client,
  o: IdempotentStartOptions,
  reusePolicy: WorkflowIdReusePolicy,
): Promise<WorkflowHandle> {
  try {
    return await startNow(client, o, reusePolicy);
  } catch (e) {
    if (!isOutcomeUnknown(e)) throw e;
    return startedByThisRequest(client, o);
  }
}

/** After an unanswered start: the run this request started, else "may have started" (503). */
async function startedByThisRequest(client: Client, o: IdempotentStartOptions): Promise<WorkflowHandle> {
  const latest = await client
    .withDeadline(Date.now() + LOOKUP_BUDGET_MS, () => client.workflow.getHandle(o.workflowId).describe())
    .catch(() => null);
  if ((latest?.memo as RequestMemo | undefined)?.requestId === o.requestId && latest) {
    return client.workflow.getHandle(o.workflowId, latest.runId, { followRuns: false });
  }
  throw mayHaveStarted(o.workflowId);
}

const mayHaveStarted = (processId: string) =>
  new ProblemError(
    503,
    'SERVICE_UNAVAILABLE',
    'Service unavailable',
    'The workflow engine did not answer in time: the process may have been started. Retry with the same idempotency key: a retry replays that process if it started and starts nothing twice.',
    { processId, statusUrl: `/processes/${encodeURIComponent(processId)}` },
    { 'Retry-After': '5' },
  );

/**
 * The fast path's start with the milestone Update, in one round trip. A refusal the run
 * ends with (the Update rejected with it) is answered from the run's outcome, as without
 * a milestone; an unanswered start is looked up as `start` does.
 */
async function startWithMilestone(
  client: Client,
  o: IdempotentStartOptions,
  milestone: UpdateDefinition<unknown, []>,
  reusePolicy: WorkflowIdReusePolicy,
): Promise<StartedProcess> {
  const startWorkflowOperation = new WithStartWorkflowOperation(o.workflowType, {
    ...startOptions(o, reusePolicy),
    workflowIdConflictPolicy: 'FAIL',
  });
  try {
    const answer = await client.workflow.executeUpdateWithStart(milestone, { startWorkflowOperation });
    return { handle: await startWorkflowOperation.workflowHandle(), replayed: false, milestone: answer };
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) {
      return { handle: await startWorkflowOperation.workflowHandle(), replayed: false };
    }
    if (!isOutcomeUnknown(e)) throw e;
    return { handle: await startedByThisRequest(client, o), replayed: false };
  }
}

/**
 * Early Return replayed: the run's milestone again (its Update answers at once when it is
 * reached), as the first request was answered. A run that has ended, or failed before its
 * milestone, is answered from its outcome.
 */
async function replayMilestone(
  handle: WorkflowHandle,
  milestone: UpdateDefinition<unknown, []>,
): Promise<StartedProcess> {
  try {
    return { handle, replayed: true, milestone: await handle.executeUpdate(milestone) };
  } catch {
    return { handle, replayed: true };
  }
}

function startNow(client: Client, o: IdempotentStartOptions, reusePolicy: WorkflowIdReusePolicy) {
  return client.workflow.start(o.workflowType, startOptions(o, reusePolicy));
}

function startOptions(o: IdempotentStartOptions, reusePolicy: WorkflowIdReusePolicy) {
  return {
    taskQueue: o.taskQueue,
    workflowId: o.workflowId,
    args: o.args,
    memo: { requestId: o.requestId, requestDigest: o.digest, ...o.starter } satisfies RequestMemo &
      StarterMemo,
    workflowIdReusePolicy: reusePolicy,
    typedSearchAttributes: o.searchAttributes,
    staticSummary: o.staticSummary,
    staticDetails: o.staticDetails,
  };
}

/** The run started with this key, or a refusal when the entity's latest run stands in the way. */
async function findRun(client: Client, o: IdempotentStartOptions): Promise<WorkflowHandle | null> {
  let latest;
  try {
    latest = await client.workflow.getHandle(o.workflowId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
  const memo = (latest.memo ?? {}) as RequestMemo;
  if (memo.requestId === o.requestId) return sameBody(client, o, memo, latest.runId);
  // An older run may carry this key: the same key always replays its own run.
  if (o.replays !== 'latest') {
    for await (const run of client.workflow.list({ query: `WorkflowId = '${o.workflowId}'` })) {
      const m = (run.memo ?? {}) as RequestMemo;
      if (m.requestId === o.requestId) return sameBody(client, o, m, run.runId);
    }
  }
  if (latest.status.name === 'RUNNING') throw o.inFlight();
  if (latest.status.name === 'COMPLETED' && o.completed) throw o.completed();
  return null;
}

function sameBody(client: Client, o: IdempotentStartOptions, memo: RequestMemo, runId: string) {
  if (memo.requestDigest !== o.digest) throw keyReused();
  return client.workflow.getHandle(o.workflowId, runId, { followRuns: false });
}

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
import { createHash, randomUUID } from 'node:crypto';
import { RequestKey } from '../messages/search-attributes';
import { KeyReused, MayHaveStarted } from './refusal';
import { isOutcomeUnknown } from './temporal';

/**
 * Every process records the token subject that started it in its memo (encrypted by the
 * payload codec like every payload): api/processes/readers.ts decides who reads it.
 */
export interface StarterMemo {
  startedBy?: string;
}

interface RequestMemo {
  requestId?: string;
  requestDigest?: string;
  /** The id of the milestone Update the run was started with (Early Return): replays reuse it. */
  milestoneUpdateId?: string;
}

/** A keyed retry must carry the body its key was first used with: KeyReused otherwise. */
export function assertSameBody(memo: unknown, digest: string): void {
  if ((memo as RequestMemo | undefined)?.requestDigest !== digest) throw new KeyReused();
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
  inFlight: () => Error;
  /** The refusal after another request's run completed; undefined: a new run may start. */
  completed?: () => Error;
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

/** Bounds the Temporal calls of a start: with Temporal down the caller hears so promptly, not after a hang. */
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
 * started (also an older, ended one), the same key with another body is KeyReused, and the
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
      return o.milestone
        ? replayMilestone(existing, o.milestone)
        : { handle: existing.handle, replayed: true };
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

/** After an unanswered start: the run this request started, else MayHaveStarted. */
async function startedByThisRequest(client: Client, o: IdempotentStartOptions): Promise<WorkflowHandle> {
  const latest = await client
    .withDeadline(Date.now() + LOOKUP_BUDGET_MS, () => client.workflow.getHandle(o.workflowId).describe())
    .catch(() => null);
  if ((latest?.memo as RequestMemo | undefined)?.requestId === o.requestId && latest) {
    return client.workflow.getHandle(o.workflowId, latest.runId, { followRuns: false });
  }
  throw new MayHaveStarted(o.workflowId);
}

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
  // A fresh id per start, recorded in the run's memo: a replay of this request reuses it
  // (replayMilestone); another request's update-with-start, with its own id, never attaches
  // to this run's Update (the conflict policy refuses it and the key is looked up).
  const updateId = `${milestone.name}:${randomUUID()}`;
  const options = startOptions(o, reusePolicy);
  const startWorkflowOperation = new WithStartWorkflowOperation(o.workflowType, {
    ...options,
    memo: { ...options.memo, milestoneUpdateId: updateId },
    workflowIdConflictPolicy: 'FAIL',
  });
  try {
    const answer = await client.workflow.executeUpdateWithStart(milestone, {
      startWorkflowOperation,
      updateId,
    });
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
 * Early Return replayed: the run's milestone again, as the first request was answered. The
 * Update carries the id the run was started with (its memo), so the server de-duplicates it
 * within the run: it attaches to that Update in flight or returns its outcome, and writes
 * nothing to the run's history (a channel retrying every few seconds through hours of a
 * maker-checker wait would otherwise add 5 events and a workflow task per retry, and spend
 * the run's Update limits). A run started before the id was recorded gets one Update of a
 * fixed id, which its further replays reuse. A run that has ended, or failed before its
 * milestone, is answered from its outcome.
 */
async function replayMilestone(
  run: FoundRun,
  milestone: UpdateDefinition<unknown, []>,
): Promise<StartedProcess> {
  const { handle } = run;
  if (!run.running) return { handle, replayed: true };
  try {
    const updateId = run.memo.milestoneUpdateId ?? milestone.name;
    return { handle, replayed: true, milestone: await handle.executeUpdate(milestone, { updateId }) };
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
    typedSearchAttributes: [...o.searchAttributes, { key: RequestKey, value: requestKeyOf(o) }],
    staticSummary: o.staticSummary,
    staticDetails: o.staticDetails,
  };
}

interface FoundRun {
  handle: WorkflowHandle;
  /** Still running when looked up. */
  running: boolean;
  memo: RequestMemo;
}

/** The run started with this key, or a refusal when the entity's latest run stands in the way. */
async function findRun(client: Client, o: IdempotentStartOptions): Promise<FoundRun | null> {
  let latest;
  try {
    latest = await client.workflow.getHandle(o.workflowId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
  const memo = (latest.memo ?? {}) as RequestMemo;
  if (memo.requestId === o.requestId) return sameBody(client, o, memo, latest);
  // An older run may carry this key: the same key always replays its own run. Looked up by
  // the key's attribute, so a start costs one lookup however many runs the entity had;
  // runs started before the attribute existed are read apart (fewer as retention ends them).
  if (o.replays !== 'latest') {
    for (const query of [ownRunQuery(o), legacyRunsQuery(o)]) {
      for await (const run of client.workflow.list({ query })) {
        const m = (run.memo ?? {}) as RequestMemo;
        if (m.requestId === o.requestId) return sameBody(client, o, m, run);
      }
    }
  }
  if (latest.status.name === 'RUNNING') throw o.inFlight();
  if (latest.status.name === 'COMPLETED' && o.completed) throw o.completed();
  return null;
}

/**
 * The RequestKey a run is started with: the key's digest under the entity's id (search
 * attributes are stored in clear; the key is the caller's, whatever it holds).
 */
function requestKeyOf(o: Pick<IdempotentStartOptions, 'workflowId' | 'requestId'>): string {
  return createHash('sha256').update(`${o.workflowId}\n${o.requestId}`).digest('hex').slice(0, 32);
}

/** The visibility query for the runs this key started on this entity (one, as a key starts one run). */
export function ownRunQuery(o: Pick<IdempotentStartOptions, 'workflowId' | 'requestId'>): string {
  return `WorkflowId = '${o.workflowId}' AND ${RequestKey.name} = '${requestKeyOf(o)}'`;
}

/** The entity's runs started before RequestKey was recorded: their keys are in their memos only. */
export function legacyRunsQuery(o: Pick<IdempotentStartOptions, 'workflowId'>): string {
  return `WorkflowId = '${o.workflowId}' AND ${RequestKey.name} IS NULL`;
}

function sameBody(
  client: Client,
  o: IdempotentStartOptions,
  memo: RequestMemo,
  run: { runId: string; status: { name: string } },
): FoundRun {
  assertSameBody(memo, o.digest);
  return {
    handle: client.workflow.getHandle(o.workflowId, run.runId, { followRuns: false }),
    running: run.status.name === 'RUNNING',
    memo,
  };
}

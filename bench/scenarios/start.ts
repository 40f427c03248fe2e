import { WorkflowIdReusePolicy } from '@temporalio/common';
import { ONBOARD_WORKFLOW } from '../../messages/onboarding';
import { Channel, CustomerId, ProcessType } from '../../messages/search-attributes';
import { closedLoop, type LoopResult } from '../load';
import { openUserIb, visibilityCount, type BenchStack } from '../stack';
import type { BenchOptions } from '../options';

export interface StartResult {
  raw: LoopResult[];
  http: LoopResult[];
  /** Best HTTP throughput / best raw throughput (each at its best concurrency). */
  httpToRawStartThroughput: number;
  /** HTTP p50 − raw p50 at concurrency 1 (no queueing: the cost of the HTTP path itself). */
  httpStartP50OverheadMs: number;
  bestConcurrency: { raw: number; http: number };
  /** The production worker during the timed phases. */
  worker: 'paused' | 'running';
  /** Starts answered as accepted (warm-up included), and the runs visibility shows executed. */
  accepted: number;
  executed: number;
}

/**
 * Scenario 1: starting an onboarding run, raw `client.workflow.start` (the same options the
 * API uses) vs `POST /open-user-ib` with `Prefer: wait=0` answered 202. The customers do not
 * exist, so each run ends at its first activity, once the worker is resumed.
 */
export async function startScenario(stack: BenchStack, o: BenchOptions): Promise<StartResult> {
  let seq = 0;
  const nextCustomer = (tag: string) => `S${tag}${String(++seq).padStart(7, '0')}`;
  const raw = (customerId: string) =>
    stack.client.workflow.start(ONBOARD_WORKFLOW, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `onboard-${customerId}`,
      args: [
        {
          requestId: `req-${customerId}`,
          customerId,
          channel: 'MOBILE',
          acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
          authorisationTimeoutHours: stack.config.MAKER_CHECKER_TIMEOUT_HOURS,
        },
      ],
      memo: { requestId: `req-${customerId}`, requestDigest: 'bench' },
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: CustomerId, value: customerId },
        { key: ProcessType, value: 'ONBOARD_IB_USER' },
        { key: Channel, value: 'MOBILE' },
      ],
      staticSummary: `Open IB/MB user · customer ${customerId} · MOBILE`,
      staticDetails: `Request req-${customerId}. Steps: eligibility → core-banking user → username to channel → first-time password SMS.`,
    });
  const http = async (customerId: string) => {
    const res = await openUserIb(stack, customerId, 0);
    if (res.status !== 202)
      throw new Error(`POST /open-user-ib answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  const drain = () =>
    visibilityCount(
      stack.client,
      `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Running'`,
      0,
      600_000,
    );

  // Warm-up: both paths, untimed.
  await closedLoop({ concurrency: 4, durationMs: o.warmupMs }, () =>
    raw(nextCustomer('W')).then(() => undefined),
  );
  await closedLoop({ concurrency: 4, durationMs: o.warmupMs }, () => http(nextCustomer('W')));
  await drain();

  // Paused by default: on a 2-core machine the runs' execution would take CPU from both
  // paths in unequal amounts (the faster path triggers more of it). Paused, each phase
  // measures the start path alone, as where workers run on other machines.
  const paused = o.startWorker === 'paused';
  const rawResults: LoopResult[] = [];
  const httpResults: LoopResult[] = [];
  if (paused) process.kill(stack.roles.worker, 'SIGSTOP');
  try {
    for (const [i, concurrency] of o.startConcurrency.entries()) {
      // Alternate which path goes first, so neither always meets a warmer (or busier) server.
      const phases = [
        async () =>
          rawResults.push(
            await closedLoop({ concurrency, durationMs: o.startPhaseMs }, () =>
              raw(nextCustomer('R')).then(() => undefined),
            ),
          ),
        async () =>
          httpResults.push(
            await closedLoop({ concurrency, durationMs: o.startPhaseMs }, () => http(nextCustomer('H'))),
          ),
      ];
      for (const phase of i % 2 ? phases.reverse() : phases) {
        await phase();
        if (!paused) await drain();
      }
    }
  } finally {
    if (paused) process.kill(stack.roles.worker, 'SIGCONT');
  }
  // Every accepted start became a run, and every run executed (each fails: no such customer).
  await drain();
  // Warm-up failures would have thrown; a timed one is an error (and if it started a run
  // anyway, executed exceeds accepted, which counts as errors too).
  const accepted = seq - [...rawResults, ...httpResults].reduce((n, r) => n + r.errors, 0);
  const executed = await visibilityCount(
    stack.client,
    `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Failed'`,
    accepted,
  );

  const best = (rs: LoopResult[]) => rs.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const bestRaw = best(rawResults);
  const bestHttp = best(httpResults);
  const at1 = (rs: LoopResult[]) =>
    rs.find((r) => r.concurrency === Math.min(...o.startConcurrency)) as LoopResult;
  return {
    raw: rawResults,
    http: httpResults,
    httpToRawStartThroughput: bestHttp.throughput / bestRaw.throughput,
    httpStartP50OverheadMs: at1(httpResults).p50Ms - at1(rawResults).p50Ms,
    bestConcurrency: { raw: bestRaw.concurrency, http: bestHttp.concurrency },
    worker: o.startWorker,
    accepted,
    executed,
  };
}

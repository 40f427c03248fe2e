import { performance } from 'node:perf_hooks';
import { MFA_CHALLENGE_WORKFLOW } from '../../messages/mfa';
import { closedLoop, type LoopResult } from '../load';
import { cpuSnapshot, ROLES, rssSnapshot, type Role } from '../proc';
import { round, summarize, type Summary } from '../stats';
import { visibilityCount, visibilityCountSince, type BenchStack } from '../stack';
import type { BenchOptions } from '../options';
import { createChallenge, verifyChallenge, type Challenge } from './mfa';
import { entityCacheSize } from '../../worker/create-worker';

export interface ScaleResult {
  challenges: number;
  create: LoopResult;
  /** Codes seen in the SMS outbox for the created challenges. */
  delivered: number;
  /** MfaChallenge runs open (visibility) while measured. */
  openChallenges: number;
  /** All open workflows (challenges plus their destinations' quota runs). */
  openWorkflows: number;
  /** CPU-ms per challenge created and delivered (first code sent), by process. */
  cpuMsPerChallenge: Record<Role, number>;
  rssMbBefore: Record<Role, number>;
  rssMbOpen: Record<Role, number>;
  /** The worker's sticky caches as its metrics report them (main and entity queue), and their bounds. */
  workerStickyCacheSize: number | null;
  maxCachedWorkflows: number;
  entityStickyCacheSize: number | null;
  entityMaxCachedWorkflows: number;
  verifyWhileOpen: Summary;
}

/**
 * Scenario 4: N open MFA challenges (each on its own number, so each also keeps a quota
 * run with a day-long timer open), then RSS by process and verify latency while they are open.
 */
export async function scaleScenario(
  stack: BenchStack,
  o: BenchOptions,
  phonePrefix: string,
): Promise<ScaleResult> {
  const rssMbBefore = rssSnapshot(stack.roles);
  const openBefore = await visibilityCount(
    stack.client,
    `WorkflowType = '${MFA_CHALLENGE_WORKFLOW}' AND ExecutionStatus = 'Running'`,
  );
  const created: Challenge[] = [];
  const cpu0 = cpuSnapshot(stack.roles);
  const create = await closedLoop(
    { concurrency: o.scaleCreateConcurrency, iterations: o.scaleChallenges },
    async (i) => {
      created.push(await createChallenge(stack, `${phonePrefix}${String(i).padStart(6, '0')}`));
    },
  );
  // Every first code out before measuring.
  const deadline = Date.now() + 10 * 60_000;
  let delivered = 0;
  for (;;) {
    stack.sms.poll();
    delivered = created.filter((c) => stack.sms.codes.has(c.serviceKey)).length;
    if (delivered === created.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpu1 = cpuSnapshot(stack.roles);
  const cpuMsPerChallenge = Object.fromEntries(
    ROLES.map((r) => [r, delivered > 0 ? round((cpu1[r] - cpu0[r]) / delivered) : NaN]),
  ) as Record<Role, number>;
  const openChallenges = await visibilityCountSince(
    stack.client,
    `WorkflowType = '${MFA_CHALLENGE_WORKFLOW}' AND ExecutionStatus = 'Running'`,
    openBefore,
    created.length,
  );
  const openWorkflows = await visibilityCount(stack.client, `ExecutionStatus = 'Running'`);
  const rssMbOpen = rssSnapshot(stack.roles);
  const metrics = await stack.workerMetrics().catch(() => '');
  const cacheOf = (queue: string) => {
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('temporal_sticky_cache_size') && l.includes(`task_queue="${queue}"`));
    const v = line?.split(/\s+/).at(-1);
    return v === undefined ? null : Number(v);
  };

  // Verify a sample spread over the open challenges (older ones have left the sticky cache).
  const verifies: number[] = [];
  let errors = 0;
  const step = Math.max(1, Math.floor(created.length / o.scaleVerifySamples));
  const t0 = performance.now();
  for (let i = 0; i < created.length && verifies.length + errors < o.scaleVerifySamples; i += step) {
    const c = created[i] as Challenge;
    try {
      const otp = await stack.sms.codeFor(c.serviceKey, 5_000);
      const v0 = performance.now();
      await verifyChallenge(stack, c, otp);
      verifies.push(performance.now() - v0);
    } catch (e) {
      errors++;
      if (errors <= 3) console.error(`[bench] scale verify: ${e instanceof Error ? e.message : e}`);
    }
  }
  return {
    challenges: o.scaleChallenges,
    create,
    delivered,
    openChallenges,
    openWorkflows,
    cpuMsPerChallenge,
    rssMbBefore,
    rssMbOpen,
    workerStickyCacheSize: cacheOf(stack.config.TEMPORAL_TASK_QUEUE),
    maxCachedWorkflows: Number(stack.env.WORKER_MAX_CACHED_WORKFLOWS),
    entityStickyCacheSize: cacheOf(stack.config.entityTaskQueue),
    entityMaxCachedWorkflows: entityCacheSize(Number(stack.env.WORKER_MAX_CACHED_WORKFLOWS)),
    verifyWhileOpen: summarize(verifies, errors, performance.now() - t0),
  };
}

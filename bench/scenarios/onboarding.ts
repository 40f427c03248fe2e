import { performance } from 'node:perf_hooks';
import { ONBOARD_WORKFLOW } from '../../messages/onboarding';
import { addSimulatorCustomer } from '../../simulator/admin-client';
import { closedLoop, mergeLoops, type LoopResult } from '../load';
import { cpuMs, cpuSnapshot, ROLES, type Role } from '../proc';
import {
  BENCH_TASK_QUEUE,
  openUserIb,
  visibilityCount,
  visibilityCountSince,
  type BenchStack,
} from '../stack';
import type { BenchOptions } from '../options';
import { round, summarize, type Summary } from '../stats';

export interface OnboardingResult {
  onboarding: LoopResult;
  baseline: LoopResult;
  /** Onboarding throughput / baseline throughput (at onboardingConcurrency). */
  onboardingToBaseline: number;
  /**
   * One at a time, interleaved: the first response of each flow (the onboarding's at its
   * user-created milestone, 202) and, for the onboarding, the same runs to their outcome.
   */
  serial: { onboarding: Summary; onboardingCompleted: Summary; baseline: Summary };
  /** Onboarding first-response p50 / baseline p50 at concurrency 1. */
  onboardingP50ToBaselineP50: number;
  started: number;
  /** Completed OnboardIbUser runs of this phase, counted through visibility. */
  completed: number;
  /** Scenario 5: CPU-ms per completed onboarding, by process. */
  cpuMsPerOnboarding: Record<Role, number>;
  /**
   * The same for a baseline run, for comparison: the server's, and the bench process's
   * (the baseline's worker and its client live there).
   */
  cpuMsPerBaseline: { temporal: number; bench: number };
}

/**
 * Scenario 2 (and 5): onboardings end to end through HTTP (`Prefer: wait=30`, answered 201
 * COMPLETED) for fresh eligible customers, simulator at 0 ms, against BaselineOnboarding —
 * the same four activities as no-ops — at the same concurrency and count, in alternating
 * blocks (`onboardingBlocks` of each).
 */
export async function onboardingScenario(
  stack: BenchStack,
  o: BenchOptions,
  runTag: string,
): Promise<OnboardingResult> {
  const total = o.onboardings + o.onboardingSerial + Math.ceil(o.onboardings / 10);
  const ids = Array.from({ length: total }, (_, i) => `B${runTag}${String(i + 1).padStart(7, '0')}`);
  // Customers first (not measured): the simulator's admin route, a few at a time.
  await closedLoop({ concurrency: 4, iterations: ids.length }, (i) =>
    addSimulatorCustomer(stack.launcher.simulatorUrl, {
      customerId: ids[i] as string,
      firstName: 'Bench',
      lastName: `Customer${i}`,
      phone: `+25479${String(i + 1).padStart(7, '0')}`,
      email: `bench${i}@bank.example`,
      products: ['SAV-001'],
    }),
  );
  const onboard = async (customerId: string) => {
    const res = await openUserIb(stack, customerId, 30);
    if (res.status !== 201 || res.body.status !== 'COMPLETED')
      throw new Error(`POST /open-user-ib answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  const measured = ids.slice(0, o.onboardings);
  const serialIds = ids.slice(o.onboardings, o.onboardings + o.onboardingSerial);
  const warm = ids.slice(o.onboardings + o.onboardingSerial);
  const warmed = await closedLoop(
    { concurrency: Math.min(4, o.onboardingConcurrency), iterations: warm.length },
    (i) => onboard(warm[i] as string),
  );
  const baselineRun = (i: number) =>
    stack.client.workflow
      .execute('BaselineOnboarding', {
        taskQueue: BENCH_TASK_QUEUE,
        workflowId: `baseline-${runTag}-${i}`,
        args: [{ customerId: `X${i}` }],
      })
      .then(() => undefined);
  await closedLoop({ concurrency: Math.min(4, o.onboardingConcurrency), iterations: warm.length }, (i) =>
    baselineRun(1_000_000 + i),
  );

  const serial = await serialPhase(stack, serialIds, (i) => baselineRun(2_000_000 + i));
  // Scenario 1's runs all fail: the completed ones so far are the warm-up's and the serial
  // phase's, once visibility shows them.
  const completedBefore = await visibilityCount(
    stack.client,
    `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Completed'`,
    warmed.ok + serial.onboardingCompleted.ok,
  );

  // Alternating blocks, as in the MFA scenario: a growing database, checkpoints and each
  // block's trailing work (visibility writes) meet both flows alike, not the later one.
  const blocks = Math.max(1, Math.min(o.onboardingBlocks, measured.length));
  const parts = { onboarding: [] as LoopResult[], baseline: [] as LoopResult[] };
  const latencies = { onboarding: [] as number[], baseline: [] as number[] };
  const onboardingCpu = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  const baselineCpu = { temporal: 0, bench: 0 };
  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * measured.length) / blocks);
    const iterations = Math.floor(((b + 1) * measured.length) / blocks) - from;
    const loop = { concurrency: o.onboardingConcurrency, iterations };
    const onboardingBlock = async () => {
      const cpu0 = cpuSnapshot(stack.roles);
      parts.onboarding.push(
        await closedLoop({ ...loop, latencies: latencies.onboarding }, (i) =>
          onboard(measured[from + i] as string),
        ),
      );
      const cpu1 = cpuSnapshot(stack.roles);
      for (const r of ROLES) onboardingCpu[r] += cpu1[r] - cpu0[r];
    };
    const baselineBlock = async () => {
      const server0 = cpuMs(stack.roles.temporal);
      const bench0 = process.cpuUsage();
      parts.baseline.push(
        await closedLoop({ ...loop, latencies: latencies.baseline }, (i) => baselineRun(from + i)),
      );
      const bench1 = process.cpuUsage(bench0);
      baselineCpu.temporal += cpuMs(stack.roles.temporal) - server0;
      baselineCpu.bench += (bench1.user + bench1.system) / 1000;
    };
    for (const block of b % 2 === 0 ? [onboardingBlock, baselineBlock] : [baselineBlock, onboardingBlock])
      await block();
  }
  const onboarding = mergeLoops(parts.onboarding, latencies.onboarding);
  const baseline = mergeLoops(parts.baseline, latencies.baseline);
  const completed = await visibilityCountSince(
    stack.client,
    `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Completed'`,
    completedBefore,
    measured.length,
  );
  const cpuMsPerBaseline = {
    temporal: perRun(baselineCpu.temporal, baseline.ok),
    bench: perRun(baselineCpu.bench, baseline.ok),
  };
  const perOnboarding = Object.fromEntries(
    ROLES.map((r) => [r, perRun(onboardingCpu[r], completed)]),
  ) as Record<Role, number>;
  return {
    onboarding,
    baseline,
    onboardingToBaseline: onboarding.throughput / baseline.throughput,
    serial,
    onboardingP50ToBaselineP50: serial.onboarding.p50Ms / serial.baseline.p50Ms,
    started: measured.length,
    completed,
    cpuMsPerOnboarding: perOnboarding,
    cpuMsPerBaseline,
  };
}

/**
 * Concurrency 1: one onboarding, then one baseline run (alternating which goes first), so
 * each is the only work in flight and both meet the same drift. The onboarding asks for
 * Early Return (`Prefer: milestone=user-created`): its first response is the 202 with the
 * user, what a channel waits for; the run's outcome (the password sent) is awaited too,
 * untimed against the baseline but recorded.
 */
async function serialPhase(
  stack: BenchStack,
  ids: string[],
  baselineRun: (i: number) => Promise<void>,
): Promise<OnboardingResult['serial']> {
  const times = { onboarding: [] as number[], onboardingCompleted: [] as number[], baseline: [] as number[] };
  const errors = { onboarding: 0, onboardingCompleted: 0, baseline: 0 };
  const failed = (flow: keyof typeof errors, e: unknown) => {
    if (errors.onboarding + errors.onboardingCompleted + errors.baseline < 3)
      console.error(`[bench] serial ${flow}: ${e instanceof Error ? e.message : e}`);
    errors[flow]++;
  };
  const onboard = async (customerId: string) => {
    const s0 = performance.now();
    try {
      const res = await openUserIb(stack, customerId, 'milestone=user-created');
      if (res.status !== 202 || res.body.status !== 'USER_CREATED')
        throw new Error(`POST /open-user-ib answered ${res.status}: ${JSON.stringify(res.body)}`);
      times.onboarding.push(performance.now() - s0);
    } catch (e) {
      return failed('onboarding', e);
    }
    try {
      await stack.client.workflow.getHandle(`onboard-${customerId}`).result();
      times.onboardingCompleted.push(performance.now() - s0);
    } catch (e) {
      failed('onboardingCompleted', e);
    }
  };
  const baseline = async (i: number) => {
    const s0 = performance.now();
    try {
      await baselineRun(i);
      times.baseline.push(performance.now() - s0);
    } catch (e) {
      failed('baseline', e);
    }
  };
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i++) {
    const pair = [() => onboard(ids[i] as string), () => baseline(i)];
    for (const op of i % 2 ? pair.reverse() : pair) await op();
  }
  const ms = performance.now() - t0;
  return {
    onboarding: summarize(times.onboarding, errors.onboarding, ms),
    onboardingCompleted: summarize(times.onboardingCompleted, errors.onboardingCompleted, ms),
    baseline: summarize(times.baseline, errors.baseline, ms),
  };
}

/** CPU-ms per run, rounded as every bench number is; NaN when no run completed. */
const perRun = (ms: number, runs: number) => (runs > 0 ? round(ms / runs) : NaN);

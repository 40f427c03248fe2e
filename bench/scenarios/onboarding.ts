import { ONBOARD_WORKFLOW } from '../../messages/onboarding';
import { addSimulatorCustomer } from '../../simulator/admin-client';
import { closedLoop, type LoopResult } from '../load';
import { cpuMs, cpuSnapshot, ROLES, type Role } from '../proc';
import { BENCH_TASK_QUEUE, openUserIb, visibilityCount, type BenchStack } from '../stack';
import type { BenchOptions } from '../options';

export interface OnboardingResult {
  onboarding: LoopResult;
  baseline: LoopResult;
  /** Onboarding throughput / baseline throughput. */
  onboardingToBaseline: number;
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
 * the same four activities as no-ops — at the same concurrency and count.
 */
export async function onboardingScenario(
  stack: BenchStack,
  o: BenchOptions,
  runTag: string,
): Promise<OnboardingResult> {
  const total = o.onboardings + Math.ceil(o.onboardings / 10);
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
  const warm = ids.slice(o.onboardings);
  const measured = ids.slice(0, o.onboardings);
  const warmed = await closedLoop(
    { concurrency: Math.min(4, o.onboardingConcurrency), iterations: warm.length },
    (i) => onboard(warm[i] as string),
  );
  // Scenario 1's runs all fail: the completed ones so far are the warm-up's, once visibility shows them.
  const completedBefore = await visibilityCount(
    stack.client,
    `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Completed'`,
    warmed.ok,
  );

  const cpu0 = cpuSnapshot(stack.roles);
  const onboarding = await closedLoop(
    { concurrency: o.onboardingConcurrency, iterations: measured.length },
    (i) => onboard(measured[i] as string),
  );
  const cpu1 = cpuSnapshot(stack.roles);
  const completed =
    (await visibilityCount(
      stack.client,
      `WorkflowType = '${ONBOARD_WORKFLOW}' AND ExecutionStatus = 'Completed'`,
      completedBefore + measured.length,
    )) - completedBefore;

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
  const server0 = cpuMs(stack.roles.temporal);
  const bench0 = process.cpuUsage();
  const baseline = await closedLoop(
    { concurrency: o.onboardingConcurrency, iterations: measured.length },
    baselineRun,
  );
  const bench1 = process.cpuUsage(bench0);
  const perRun = (ms: number) => (baseline.ok > 0 ? Math.round((ms / baseline.ok) * 100) / 100 : NaN);
  const cpuMsPerBaseline = {
    temporal: perRun(cpuMs(stack.roles.temporal) - server0),
    bench: perRun((bench1.user + bench1.system) / 1000),
  };

  const perOnboarding = Object.fromEntries(
    ROLES.map((r) => [r, completed > 0 ? Math.round(((cpu1[r] - cpu0[r]) / completed) * 100) / 100 : NaN]),
  ) as Record<Role, number>;
  return {
    onboarding,
    baseline,
    onboardingToBaseline: onboarding.throughput / baseline.throughput,
    started: measured.length,
    completed,
    cpuMsPerOnboarding: perOnboarding,
    cpuMsPerBaseline,
  };
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { benchOptions, type BenchOptions } from './options';
import { chartsDir, drawCharts } from './charts';
import { markdown, preloginMarkdown } from './report';
import { onboardingScenario, type OnboardingResult } from './scenarios/onboarding';
import { mfaScenario, type MfaResult } from './scenarios/mfa';
import { scaleScenario, type ScaleResult } from './scenarios/scale';
import { startScenario, type StartResult } from './scenarios/start';
import { preloginScenario, type PreloginResult } from './scenarios/prelogin';
import { cpuMs, cpuSnapshot, machineBusyMs, ROLES } from './proc';
import { startBenchStack } from './stack';
import { round } from './stats';
import { sizing, type Sizing } from './sizing';
import { temporalCli } from '../lib/tools';

const repoRoot = path.resolve(__dirname, '..');
export const resultsDir = path.join(repoRoot, 'bench', 'results');

export interface BenchResults {
  mode: 'full' | 'smoke';
  finishedAt: string;
  durationSeconds: number;
  /** The headline numbers, all finite in a good run. */
  summary: {
    httpToRawStartThroughput: number;
    httpStartP50OverheadMs: number;
    /** Onboarding p50 / baseline p50 at concurrency 1 (target ≤ 0.5). */
    onboardingP50ToBaselineP50: number;
    onboardingSerialP50Ms: number;
    /** The same runs at concurrency 1, to their outcome (password sent). */
    onboardingSerialCompletedP50Ms: number;
    baselineSerialP50Ms: number;
    /** Throughput at the onboarding concurrency (target ≥ 1.0). */
    onboardingToBaseline: number;
    onboardingsPerSecond: number;
    baselinePerSecond: number;
    /** HTTP MFA create (201) p50 / raw update-with-start p50 (target ≤ 4). */
    mfaCreateP50ToRawUpdateWithStart: number;
    mfaCreateP50Ms: number;
    rawUpdateWithStartP50Ms: number;
    mfaVerifyP50ToRawUpdate: number;
    mfaVerifyP50Ms: number;
    rawUpdateP50Ms: number;
    scaleOpenChallenges: number;
    scaleWorkerRssMb: number;
    scaleServerRssMb: number;
    scaleVerifyP50Ms: number;
    cpuMsPerOnboardingApi: number;
    cpuMsPerOnboardingWorker: number;
    cpuMsPerOnboardingServer: number;
    cpuMsPerChallengeApi: number;
    cpuMsPerChallengeWorker: number;
    cpuMsPerChallengeServer: number;
    /** The server's CPU-ms per baseline run, the floor for cpuMsPerOnboardingServer. */
    cpuMsPerBaselineServer: number;
    errors: number;
    started: number;
    completed: number;
    benchEventLoopDelayP99Ms: number;
    /** Scenario 6, one caller at BENCH_PRELOGIN_RATE: requests sent and sends admitted per second. */
    preloginSentPerSecond: number;
    preloginAdmittedPerSecond: number;
    preloginP50Ms: number;
    preloginP99Ms: number;
    /** The busiest of the caller's quota shards: its share of the admitted sends. */
    preloginHottestShardShare: number;
    /** Scenario 6 against a caller budget smaller than the load: admitted must equal the budget. */
    preloginExactBudget: number;
    preloginExactAdmitted: number;
    preloginExactRefused: number;
  };
  /** docs/sizing.md's inputs, from this run's CPU-ms per operation and RSS at scale. */
  sizing: Sizing;
  start: StartResult;
  onboarding: OnboardingResult;
  mfa: MfaResult;
  scale: ScaleResult;
  prelogin: PreloginResult;
  options: BenchOptions;
  settings: Record<string, string>;
  versions: { node: string; sdk: string; temporalCli: string };
  machine: {
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    kernel: string;
    /** Share of all cores busy during the scenarios, and the share used by processes outside the bench. */
    busyShare: number;
    otherProcessesCpuShare: number;
  };
}

/** Runs every scenario once against a fresh stack and writes the JSON next to a markdown table. */
export async function main(argv = process.argv.slice(2)): Promise<BenchResults | PreloginOnly> {
  const o = benchOptions(argv, process.env);
  if (o.only === 'prelogin') return preloginOnly(o);
  const t0 = performance.now();
  const realCli = temporalCli(repoRoot);
  const settings = benchSettings(realCli);
  const log = (m: string) => console.error(`[bench] ${m} (${Math.round((performance.now() - t0) / 1000)} s)`);
  log(`starting the stack (${o.smoke ? 'smoke' : 'full'} run)`);
  const stack = await startBenchStack(settings);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const tag = Date.now().toString(36).slice(-4).toUpperCase();
  // What else kept the machine busy meanwhile (another job on a shared box skews every number).
  const busy0 = machineBusyMs();
  const ours0 = ownCpuMs(stack.roles, stack.launcher.pid);
  const wall0 = performance.now();
  try {
    log('scenario 1: start');
    const start = await startScenario(stack, o);
    log('scenarios 2 and 5: onboarding, baseline, CPU');
    const onboarding = await onboardingScenario(stack, o, tag);
    log('scenario 3: MFA');
    const mfa = await mfaScenario(stack, o, '+254710');
    log(`scenario 4: ${o.scaleChallenges} open challenges`);
    const scale = await scaleScenario(stack, o, '+254720');
    loopDelay.disable();
    const busy = machineBusyMs() - busy0;
    const ours = ownCpuMs(stack.roles, stack.launcher.pid) - ours0;
    const capacity = (performance.now() - wall0) * os.cpus().length;
    // Last, outside the CPU accounting: its second API process is none of the stack's roles.
    log('scenario 6: pre-login sends from one caller');
    const prelogin = await preloginScenario(stack, o);
    const errors =
      [...start.raw, ...start.http].reduce((s, r) => s + r.errors, 0) +
      Math.abs(start.accepted - start.executed) +
      onboarding.onboarding.errors +
      onboarding.baseline.errors +
      onboarding.serial.onboarding.errors +
      onboarding.serial.onboardingCompleted.errors +
      onboarding.serial.baseline.errors +
      mfa.rawUpdateWithStart.errors +
      mfa.create.errors +
      mfa.verify.errors +
      mfa.rawUpdate.errors +
      scale.create.errors +
      scale.verifyWhileOpen.errors +
      (scale.challenges - scale.delivered) +
      (scale.challenges - scale.openChallenges);
    // Scenario 6 is an overload by design (200 sends/s open loop, more than two cores admit):
    // the 503s it sheds are its own column (preloginMarkdown), not errors of the closed loops.
    const results: BenchResults = {
      mode: o.smoke ? 'smoke' : 'full',
      finishedAt: new Date().toISOString(),
      durationSeconds: round((performance.now() - t0) / 1000, 1),
      summary: {
        httpToRawStartThroughput: round(start.httpToRawStartThroughput, 3),
        httpStartP50OverheadMs: round(start.httpStartP50OverheadMs),
        onboardingP50ToBaselineP50: round(onboarding.onboardingP50ToBaselineP50, 3),
        onboardingSerialP50Ms: onboarding.serial.onboarding.p50Ms,
        onboardingSerialCompletedP50Ms: onboarding.serial.onboardingCompleted.p50Ms,
        baselineSerialP50Ms: onboarding.serial.baseline.p50Ms,
        onboardingToBaseline: round(onboarding.onboardingToBaseline, 3),
        onboardingsPerSecond: onboarding.onboarding.throughput,
        baselinePerSecond: onboarding.baseline.throughput,
        mfaCreateP50ToRawUpdateWithStart: round(mfa.mfaCreateP50ToRawUpdateWithStart, 3),
        mfaCreateP50Ms: mfa.create.p50Ms,
        rawUpdateWithStartP50Ms: mfa.rawUpdateWithStart.p50Ms,
        mfaVerifyP50ToRawUpdate: round(mfa.mfaVerifyP50ToRawUpdate, 3),
        mfaVerifyP50Ms: mfa.verify.p50Ms,
        rawUpdateP50Ms: mfa.rawUpdate.p50Ms,
        scaleOpenChallenges: scale.openChallenges,
        scaleWorkerRssMb: scale.rssMbOpen.worker,
        scaleServerRssMb: scale.rssMbOpen.temporal,
        scaleVerifyP50Ms: scale.verifyWhileOpen.p50Ms,
        cpuMsPerOnboardingApi: onboarding.cpuMsPerOnboarding.api,
        cpuMsPerOnboardingWorker: onboarding.cpuMsPerOnboarding.worker,
        cpuMsPerOnboardingServer: onboarding.cpuMsPerOnboarding.temporal,
        cpuMsPerChallengeApi: scale.cpuMsPerChallenge.api,
        cpuMsPerChallengeWorker: scale.cpuMsPerChallenge.worker,
        cpuMsPerChallengeServer: scale.cpuMsPerChallenge.temporal,
        cpuMsPerBaselineServer: onboarding.cpuMsPerBaseline.temporal,
        errors,
        started: onboarding.started,
        completed: onboarding.completed,
        benchEventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
        preloginSentPerSecond: prelogin.burst.sentPerSecond,
        preloginAdmittedPerSecond: prelogin.burst.admitted.throughput,
        preloginP50Ms: prelogin.burst.admitted.p50Ms,
        preloginP99Ms: prelogin.burst.admitted.p99Ms,
        preloginHottestShardShare: prelogin.burst.hottestShardShare,
        preloginExactBudget: prelogin.exact.budget,
        preloginExactAdmitted: prelogin.exact.admitted.ok,
        preloginExactRefused: prelogin.exact.refused,
      },
      sizing: sizing(ROLES, onboarding.cpuMsPerOnboarding, scale.cpuMsPerChallenge, {
        before: scale.rssMbBefore,
        open: scale.rssMbOpen,
        openChallenges: scale.openChallenges,
      }),
      start,
      onboarding,
      mfa,
      scale,
      prelogin,
      options: o,
      settings: { ...settings, ...workerDefaults() },
      versions: versions(realCli),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryMb: Math.round(os.totalmem() / 2 ** 20),
        kernel: os.release(),
        busyShare: round(busy / capacity, 3),
        otherProcessesCpuShare: round(Math.max(0, busy - ours) / capacity, 3),
      },
    };
    fs.mkdirSync(resultsDir, { recursive: true });
    const out = process.env.BENCH_OUT ?? path.join(resultsDir, o.smoke ? 'smoke.json' : 'latest.json');
    fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    const table = markdown(results);
    fs.writeFileSync(out.replace(/\.json$/, '.md'), table);
    console.log(table);
    log(`wrote ${path.relative(repoRoot, out)}`);
    const charts = await drawCharts(results, chartsDir(out, results.mode));
    log(`drew ${charts.map((c) => path.relative(repoRoot, c)).join(', ')}`);
    return results;
  } finally {
    await stack.stop();
  }
}

export interface PreloginOnly {
  mode: 'prelogin' | 'prelogin-smoke';
  finishedAt: string;
  prelogin: PreloginResult;
  options: BenchOptions;
}

/**
 * `npm run bench -- --only=prelogin` (or BENCH_ONLY=prelogin; with --smoke, briefly):
 * scenario 6 alone on a fresh stack with the full run's settings; writes
 * results/prelogin.{json,md} (prelogin-smoke.* for a smoke), or BENCH_OUT.
 */
async function preloginOnly(o: BenchOptions): Promise<PreloginOnly> {
  const stack = await startBenchStack(benchSettings());
  try {
    const prelogin = await preloginScenario(stack, o);
    const results: PreloginOnly = {
      mode: o.smoke ? 'prelogin-smoke' : 'prelogin',
      finishedAt: new Date().toISOString(),
      prelogin,
      options: o,
    };
    fs.mkdirSync(resultsDir, { recursive: true });
    const out = process.env.BENCH_OUT ?? path.join(resultsDir, `${results.mode}.json`);
    fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    const table = `Run ${results.finishedAt} (${results.mode})\n\n${preloginMarkdown(prelogin)}\n`;
    fs.writeFileSync(out.replace(/\.json$/, '.md'), table);
    console.log(table);
    return results;
  } finally {
    await stack.stop();
  }
}

/** The stack's settings for every measured run (`npm run bench`, `npm run bench:scale`). */
export function benchSettings(realCli = temporalCli(repoRoot)): Record<string, string> {
  return {
    // The launcher waits for the worker's info-level 'worker running' line: info, as in production.
    LOG_LEVEL: 'info',
    // Long enough that no challenge of the scale scenario expires while measured (cap: 600).
    MFA_OTP_TTL_SECONDS: '600',
    WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? '1000',
    // T24 hashes passwords on its own hardware; here the simulator shares the 2 cores, so its
    // scrypt work factor is lowered rather than charged to the service (default 16384).
    SIMULATOR_SCRYPT_N: process.env.SIMULATOR_SCRYPT_N ?? '1024',
    // One token sends every pre-login code here: the per-caller fraud budget is not what is
    // measured (its reservation, on sharded quota workflows, still runs on every create).
    MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: '1000000',
    // Likewise its per-minute ceiling: the scale scenario alone creates 2,500 challenges.
    API_CALLER_MAX_PER_MINUTE: '1000000',
    TEMPORAL_CLI: path.join(repoRoot, 'bench', 'temporal-wal.sh'),
    BENCH_REAL_TEMPORAL_CLI: realCli,
    TEMPORAL_SQLITE_PRAGMA: 'journal_mode=wal',
  };
}

/** CPU-ms of the stack's processes, the launcher and this process. */
function ownCpuMs(roles: Parameters<typeof cpuSnapshot>[0], launcherPid: number): number {
  const snap = cpuSnapshot(roles);
  const { user, system } = process.cpuUsage();
  let launcher = 0;
  try {
    launcher = cpuMs(launcherPid);
  } catch {
    // gone
  }
  return ROLES.reduce((s, r) => s + snap[r], 0) + launcher + (user + system) / 1000;
}

/** The SDK worker settings that bound the production worker, as the bench ran it. */
function workerDefaults(): Record<string, string> {
  return {
    workerOptions: 'SDK defaults except maxCachedWorkflows (WORKER_MAX_CACHED_WORKFLOWS)',
    simulatorFaults: 'none (0 ms latency, 0 errors)',
  };
}

function versions(cli: string): BenchResults['versions'] {
  const sdk = (
    JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'node_modules/@temporalio/client/package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // recorded as unknown
  }
  return { node: process.version, sdk, temporalCli };
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

import type { LoopResult } from './load';
import type { BenchResults } from './run';
import type { PreloginPhase, PreloginResult } from './scenarios/prelogin';

interface Row {
  metric: string;
  value: string;
  target?: string;
  met?: boolean;
}

const n = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const lat = (r: { p50Ms: number; p99Ms: number }) => `p50 ${n(r.p50Ms, 1)} / p99 ${n(r.p99Ms, 1)} ms`;

const roles = ['api', 'worker', 'temporal', 'simulator'] as const;

/** The run as a markdown table: headline ratios against their targets, then the detail. */
export function markdown(r: BenchResults): string {
  const s = r.summary;
  const rows: Row[] = [
    {
      metric: 'HTTP / raw start throughput (each at its best concurrency)',
      value: n(s.httpToRawStartThroughput),
      target: '≥ 0.9',
      met: s.httpToRawStartThroughput >= 0.9,
    },
    {
      metric: 'HTTP start p50 overhead at concurrency 1',
      value: `${n(s.httpStartP50OverheadMs)} ms`,
      target: '≤ 2 ms',
      met: s.httpStartP50OverheadMs <= 2,
    },
    {
      metric: 'MFA create p50 / raw update-with-start p50',
      value: `${n(s.mfaCreateP50ToRawUpdateWithStart)} (${n(s.mfaCreateP50Ms, 1)} vs ${n(s.rawUpdateWithStartP50Ms, 1)} ms)`,
      target: '≤ 4',
      met: s.mfaCreateP50ToRawUpdateWithStart <= 4,
    },
    {
      metric: 'Onboarding first response (202 user created) p50 / baseline p50, concurrency 1',
      value: `${n(s.onboardingP50ToBaselineP50)} (${n(s.onboardingSerialP50Ms, 1)} vs ${n(s.baselineSerialP50Ms, 1)} ms; outcome ${n(s.onboardingSerialCompletedP50Ms, 1)} ms)`,
      target: '≤ 0.5',
      met: s.onboardingP50ToBaselineP50 <= 0.5,
    },
    {
      metric: `Onboarding / baseline throughput at concurrency ${r.onboarding.onboarding.concurrency}`,
      value: `${n(s.onboardingToBaseline)} (${n(s.onboardingsPerSecond, 1)} vs ${n(s.baselinePerSecond, 1)} /s)`,
      target: '≥ 1.0',
      met: s.onboardingToBaseline >= 1.0,
    },
    {
      metric: 'MFA verify p50 / raw Update p50',
      value: `${n(s.mfaVerifyP50ToRawUpdate)} (${n(s.mfaVerifyP50Ms, 1)} vs ${n(s.rawUpdateP50Ms, 1)} ms)`,
      target: '≤ 1.3',
      met: s.mfaVerifyP50ToRawUpdate <= 1.3,
    },
    {
      metric: `Worker RSS with ${r.scale.openChallenges} open challenges (${r.scale.openWorkflows} open runs)`,
      value: `${n(s.scaleWorkerRssMb, 0)} MiB, sticky caches ${r.scale.workerStickyCacheSize ?? '?'} / ${r.scale.maxCachedWorkflows} and ${r.scale.entityStickyCacheSize ?? '?'} / ${r.scale.entityMaxCachedWorkflows} (entities)`,
      target: `caches ≤ their bounds`,
      met:
        r.scale.workerStickyCacheSize !== null &&
        r.scale.workerStickyCacheSize <= r.scale.maxCachedWorkflows &&
        r.scale.entityStickyCacheSize !== null &&
        r.scale.entityStickyCacheSize <= r.scale.entityMaxCachedWorkflows,
    },
    {
      metric: 'Server / API RSS at scale',
      value: `${n(s.scaleServerRssMb, 0)} / ${n(r.scale.rssMbOpen.api, 0)} MiB`,
    },
    { metric: 'Verify latency while open', value: lat(r.scale.verifyWhileOpen) },
    {
      metric: 'CPU-ms per onboarding: API / worker / server / simulator',
      value: (['api', 'worker', 'temporal', 'simulator'] as const)
        .map((k) => n(r.onboarding.cpuMsPerOnboarding[k], 1))
        .join(' / '),
    },
    {
      metric: 'CPU-ms per OTP request (created, code sent): API / worker / server / simulator',
      value: (['api', 'worker', 'temporal', 'simulator'] as const)
        .map((k) => n(r.scale.cpuMsPerChallenge[k], 1))
        .join(' / '),
    },
    {
      metric: `vCPUs per 100 onboardings/s at ${n(r.sizing.targetUtilisation * 100, 0)} % busy: API / worker / server / simulator`,
      value: roles.map((k) => n(r.sizing.vcpuPer100OnboardingsPerSecond[k], 2)).join(' / '),
    },
    {
      metric: `vCPUs per 100 OTP requests/s at ${n(r.sizing.targetUtilisation * 100, 0)} % busy: API / worker / server / simulator`,
      value: roles.map((k) => n(r.sizing.vcpuPer100OtpRequestsPerSecond[k], 2)).join(' / '),
    },
    {
      metric: 'MiB per 1,000 open challenges: API / worker / server / simulator',
      value: roles.map((k) => n(r.sizing.mbPer1000OpenChallenges[k], 1)).join(' / '),
    },
    {
      metric: 'CPU-ms per baseline run: server / bench process (its worker and client)',
      value: `${n(r.onboarding.cpuMsPerBaseline.temporal, 1)} / ${n(r.onboarding.cpuMsPerBaseline.bench, 1)}`,
    },
    {
      metric: `Pre-login sends from one caller, ${r.prelogin.burst.targetPerSecond}/s open loop: sent / admitted per second, latency`,
      value: `${n(s.preloginSentPerSecond, 1)} / ${n(s.preloginAdmittedPerSecond, 1)} /s, ${lat(r.prelogin.burst.admitted)}`,
    },
    {
      metric: `Busiest of the caller's ${r.prelogin.burst.shards.length} quota shards: share of its sends`,
      value: `${n(s.preloginHottestShardShare * 100, 0)} % (${n(r.prelogin.burst.hottestShardPerSecond, 1)} Updates/s)`,
      target: 'no single entity (< 100 %)',
      met: r.prelogin.burst.shards.length > 1 && s.preloginHottestShardShare < 1,
    },
    {
      metric: 'Caller budget smaller than the load: admitted / budget (refused)',
      value: `${s.preloginExactAdmitted} / ${s.preloginExactBudget} (${s.preloginExactRefused} of ${r.prelogin.exact.offered} refused)`,
      target: 'admitted = budget',
      met: r.prelogin.exact.exactlyBudget,
    },
    {
      metric: 'Errors; onboardings completed / started (visibility)',
      value: `${s.errors}; ${s.completed} / ${s.started}`,
      target: '0; equal',
      met: s.errors === 0 && s.completed === s.started,
    },
  ];
  const head = '| Metric | Value | Target | Met |\n| --- | --- | --- | --- |\n';
  const main = rows
    .map(
      (x) =>
        `| ${x.metric} | ${x.value} | ${x.target ?? ''} | ${x.met === undefined ? '' : x.met ? 'yes' : 'no'} |`,
    )
    .join('\n');
  const start =
    `Starts with the production worker ${r.start.worker} during the timed phases; ${r.start.accepted} accepted, ${r.start.executed} executed afterwards (visibility).\n\n` +
    '| Concurrency | raw starts/s | raw latency | HTTP starts/s | HTTP latency | HTTP/raw |\n| --- | --- | --- | --- | --- | --- |\n' +
    r.start.raw
      .map((raw, i) => {
        const http = r.start.http[i] as LoopResult;
        return `| ${raw.concurrency} | ${n(raw.throughput, 1)} | ${lat(raw)} | ${n(http.throughput, 1)} | ${lat(http)} | ${n(http.throughput / raw.throughput)} |`;
      })
      .join('\n');
  const flows =
    '| Flow | ops/s | latency | ok | errors |\n| --- | --- | --- | --- | --- |\n' +
    [
      [`Onboarding via HTTP (concurrency ${r.onboarding.onboarding.concurrency})`, r.onboarding.onboarding],
      [
        `Baseline, 4 no-op activities (concurrency ${r.onboarding.baseline.concurrency})`,
        r.onboarding.baseline,
      ],
      ['Onboarding via HTTP, first response (concurrency 1)', r.onboarding.serial.onboarding],
      ['Onboarding via HTTP, to its outcome (concurrency 1)', r.onboarding.serial.onboardingCompleted],
      ['Baseline, 4 no-op activities (concurrency 1)', r.onboarding.serial.baseline],
      ['MFA create via HTTP (201, code sent)', r.mfa.create],
      ['Raw update-with-start, bare run', r.mfa.rawUpdateWithStart],
      ['MFA verify via HTTP (Update)', r.mfa.verify],
      ['Raw executeUpdate, trivial Update', r.mfa.rawUpdate],
      [`Scale: create ${r.scale.challenges} challenges (202)`, r.scale.create],
      ['Scale: verify while open', r.scale.verifyWhileOpen],
      [
        `Pre-login creates, one caller, ${r.prelogin.burst.targetPerSecond}/s open loop (admitted)`,
        r.prelogin.burst.admitted,
      ],
      [`Pre-login creates, budget ${r.prelogin.exact.budget} (admitted)`, r.prelogin.exact.admitted],
    ]
      .map(([name, x]) => {
        const v = x as LoopResult;
        return `| ${String(name)} | ${n(v.throughput, 1)} | ${lat(v)} | ${v.ok} | ${v.errors} |`;
      })
      .join('\n');
  return [
    `Run ${r.finishedAt} (${r.mode}, ${Math.round(r.durationSeconds)} s) on ${r.machine.cpus}× ${r.machine.cpuModel}, Node ${r.versions.node}, SDK ${r.versions.sdk}, ${r.versions.temporalCli}; cores busy ${n(r.machine.busyShare * 100, 0)} %, of which other processes on the machine ${n(r.machine.otherProcessesCpuShare * 100, 0)} %`,
    '',
    head + main,
    '',
    start,
    '',
    flows,
    '',
    preloginMarkdown(r.prelogin),
    '',
    // Drawn beside bench/results/latest.md by bench/charts.ts; a smoke run's charts are not kept.
    ...(r.mode === 'full'
      ? [
          '![Latency distribution per flow](charts/latency.svg)',
          '',
          '![Throughput per flow](charts/throughput.svg)',
          '',
          '![Start throughput, raw vs HTTP, against concurrency](charts/start.svg)',
          '',
        ]
      : []),
  ].join('\n');
}

/** Scenario 6's two phases side by side (also the whole of `--only=prelogin`'s table). */
export function preloginMarkdown(p: PreloginResult): string {
  const row = (name: string, x: PreloginPhase) =>
    `| ${name} | ${x.budget} | ${x.offered} at ${x.targetPerSecond}/s | ${n(x.sentPerSecond, 1)} | ${x.admitted.ok} (${n(x.admitted.throughput, 1)}/s) | ${lat(x.admitted)} | ${x.refused} | ${x.errors} | ${x.shards.join(' / ')} | ${n(x.hottestShardPerSecond, 1)} | ${n(x.quotaTasksPerSecond, 1)} (${n(x.quotaTasksPerAdmitted, 2)} per admitted) |`;
  return [
    'Pre-login sends from one caller (scenario 6), open loop, `Prefer: wait=0`:',
    '',
    '| Phase | Caller budget | Offered | Sent/s | Admitted | Latency (from scheduled send) | Refused | Errors | Sends per quota shard | Busiest shard: admitting Updates/s | Quota workflow tasks/s (worker) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('Budget above the load', p.burst),
    row(`Budget below the load (exact: ${p.exact.exactlyBudget ? 'yes' : 'NO'})`, p.exact),
  ].join('\n');
}

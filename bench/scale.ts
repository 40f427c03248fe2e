import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchOptions } from './options';
import { benchSettings, resultsDir } from './run';
import { scaleScenario } from './scenarios/scale';
import { sizing } from './sizing';
import { ROLES } from './proc';
import { startBenchStack } from './stack';
import { round } from './stats';

/**
 * `npm run bench:scale`: the scale scenario alone, at BENCH_SCALE_CHALLENGES (10,000 unless
 * set), on a fresh stack with the full run's settings; writes results/scale-<N>.{json,md}.
 * Kept apart from `npm run bench`, whose 15 minutes it would not fit in on 2 cores.
 */
async function main(): Promise<void> {
  const o = benchOptions([], {
    ...process.env,
    BENCH_SCALE_CHALLENGES: process.env.BENCH_SCALE_CHALLENGES ?? '10000',
  });
  const t0 = performance.now();
  const stack = await startBenchStack(benchSettings());
  try {
    const scale = await scaleScenario(stack, o, '+254730');
    const cpu = scale.cpuMsPerChallenge;
    const results = {
      finishedAt: new Date().toISOString(),
      durationSeconds: round((performance.now() - t0) / 1000, 1),
      sizing: sizing(ROLES, cpu, cpu, {
        before: scale.rssMbBefore,
        open: scale.rssMbOpen,
        openChallenges: scale.openChallenges,
      }).mbPer1000OpenChallenges,
      scale,
    };
    const file = path.join(resultsDir, `scale-${o.scaleChallenges}`);
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(`${file}.json`, JSON.stringify(results, null, 2) + '\n');
    const row = (k: string, v: string) => `| ${k} | ${v} |`;
    const md = [
      `Scale point ${results.finishedAt} (${Math.round(results.durationSeconds)} s): \`npm run bench:scale\``,
      '',
      '| Measurement | Value |',
      '| --- | --- |',
      row('Open challenges (visibility) / open runs', `${scale.openChallenges} / ${scale.openWorkflows}`),
      row(
        'Errors; codes delivered',
        `${scale.create.errors + scale.verifyWhileOpen.errors}; ${scale.delivered} / ${scale.challenges}`,
      ),
      row(
        'Create (202) throughput, latency',
        `${scale.create.throughput} /s, p50 ${scale.create.p50Ms} / p99 ${scale.create.p99Ms} ms`,
      ),
      row('Verify while open', `p50 ${scale.verifyWhileOpen.p50Ms} / p99 ${scale.verifyWhileOpen.p99Ms} ms`),
      row(
        'RSS MiB before → open: API / worker / server / simulator',
        ROLES.map((r) => `${scale.rssMbBefore[r]} → ${scale.rssMbOpen[r]}`).join(' / '),
      ),
      row(
        'MiB per 1,000 open challenges: API / worker / server / simulator',
        ROLES.map((r) => String(results.sizing[r])).join(' / '),
      ),
      row(
        'Worker sticky caches / bounds (main, entities)',
        `${scale.workerStickyCacheSize ?? '?'} / ${scale.maxCachedWorkflows}, ${scale.entityStickyCacheSize ?? '?'} / ${scale.entityMaxCachedWorkflows}`,
      ),
      row(
        'CPU-ms per challenge: API / worker / server / simulator',
        ROLES.map((r) => String(cpu[r])).join(' / '),
      ),
      '',
    ].join('\n');
    fs.writeFileSync(`${file}.md`, md);
    console.log(md);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './run';
import type { Summary } from './stats';

/** The fields of a run the charts read (a whole BenchResults fits). */
export type ChartInput = Pick<
  BenchResults,
  'mode' | 'finishedAt' | 'start' | 'onboarding' | 'mfa' | 'scale'
> &
  // Absent from runs recorded before scenario 6.
  Partial<Pick<BenchResults, 'prelogin'>>;

export interface Flow {
  label: string;
  summary: Summary;
}

/**
 * Every measured flow of a run, in the order the charts show them: the one list to extend
 * when a scenario measures a new flow. Flows without a success (ok = 0) have nothing to draw.
 */
export function flows(r: ChartInput): Flow[] {
  const all: Flow[] = [
    { label: 'Onboarding via HTTP, c16', summary: r.onboarding.onboarding },
    { label: 'Baseline: 4 no-op activities, c16', summary: r.onboarding.baseline },
    { label: 'Onboarding first response, c1', summary: r.onboarding.serial.onboarding },
    { label: 'Onboarding to its outcome, c1', summary: r.onboarding.serial.onboardingCompleted },
    { label: 'Baseline: 4 no-op activities, c1', summary: r.onboarding.serial.baseline },
    { label: 'MFA create via HTTP', summary: r.mfa.create },
    { label: 'Raw update-with-start', summary: r.mfa.rawUpdateWithStart },
    { label: 'MFA verify via HTTP (Update)', summary: r.mfa.verify },
    { label: 'Raw trivial Update', summary: r.mfa.rawUpdate },
    { label: 'Scale: create challenge', summary: r.scale.create },
    { label: 'Scale: verify while open', summary: r.scale.verifyWhileOpen },
    ...(r.prelogin
      ? [
          { label: 'Pre-login create, one caller, open loop', summary: r.prelogin.burst.admitted },
          { label: 'Pre-login create, budget below load', summary: r.prelogin.exact.admitted },
        ]
      : []),
  ];
  return all.filter((f) => f.summary.ok > 0);
}

/** Wide enough to read, narrow enough for a GitHub markdown page (~720 px of content). */
const WIDTH = 720;

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: WIDTH,
  // The width is the whole picture's (axes and legend included), so the page never scrolls.
  autosize: { type: 'fit-x', contains: 'padding' },
  background: 'white',
  config: { font: 'sans-serif', title: { anchor: 'start', fontSize: 15, subtitleFontSize: 12 } },
} as const;

const title = (r: ChartInput, text: string) => ({
  text,
  subtitle: `${r.mode} run, finished ${r.finishedAt}`,
});

/** One colour per flow of the run, the same in every chart, in the list's order. */
const flowColor = (r: ChartInput) => {
  const labels = flows(r).map((f) => f.label);
  return {
    field: 'flow',
    type: 'nominal' as const,
    // Ten distinct colours; beyond ten flows, twenty (in pairs of shades) rather than repeats.
    scale: { domain: labels, scheme: labels.length > 10 ? 'tableau20' : 'tableau10' },
    legend: null,
  };
};

export function latencySpec(r: ChartInput): TopLevelSpec {
  // A run recorded before summaries kept their distribution has no curve to draw.
  const drawn = flows(r).filter((f) => Array.isArray(f.summary.distribution));
  const values = drawn.flatMap((f) =>
    f.summary.distribution.map((ms, i) => ({
      flow: f.label,
      percentile: i + 1,
      // A log scale has no 0; a sub-10-µs latency is drawn at 0.01 ms.
      latencyMs: Math.max(ms, 0.01),
    })),
  );
  return {
    ...base,
    title: title(r, 'Latency distribution per flow (CDF)'),
    height: 340,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: {
        field: 'latencyMs',
        type: 'quantitative',
        scale: { type: 'log' },
        axis: { title: 'latency (ms, log scale)', grid: true },
      },
      y: {
        field: 'percentile',
        type: 'quantitative',
        scale: { domain: [0, 100] },
        axis: { title: 'percentile', values: [0, 25, 50, 75, 90, 99] },
      },
      color: {
        ...flowColor(r),
        legend: { orient: 'bottom', title: null, columns: 2, labelLimit: 340, symbolType: 'stroke' },
      },
    },
  };
}

export function throughputSpec(r: ChartInput): TopLevelSpec {
  const all = flows(r);
  const labels = all.map((f) => f.label);
  const values = all.map((f) => ({ flow: f.label, throughput: f.summary.throughput }));
  return {
    ...base,
    title: title(r, 'Throughput per flow (successful operations per second)'),
    height: 30 * labels.length,
    data: { values },
    encoding: {
      y: { field: 'flow', type: 'nominal', sort: labels, axis: { title: null, labelLimit: 320 } },
      x: { field: 'throughput', type: 'quantitative', axis: { title: 'ops/s' } },
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { color: flowColor(r) } },
      {
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: { text: { field: 'throughput', type: 'quantitative', format: '.1f' } },
      },
    ],
  };
}

const RAW = 'raw client.workflow.start';
const HTTP = 'HTTP POST /open-user-ib';

export function startSpec(r: ChartInput): TopLevelSpec {
  const values = [
    ...r.start.raw.map((x) => ({ path: RAW, ...point(x) })),
    ...r.start.http.map((x) => ({ path: HTTP, ...point(x) })),
  ];
  return {
    ...base,
    title: title(r, 'Start throughput against concurrency: raw vs HTTP'),
    height: 300,
    data: { values },
    encoding: {
      x: {
        field: 'concurrency',
        type: 'ordinal',
        axis: { title: 'concurrency (closed loop)', labelAngle: 0 },
      },
      y: { field: 'throughput', type: 'quantitative', axis: { title: 'starts/s' } },
      color: {
        field: 'path',
        type: 'nominal',
        scale: { domain: [RAW, HTTP] },
        legend: { orient: 'bottom', title: null, labelLimit: 300 },
      },
    },
    layer: [{ mark: { type: 'line', point: true, strokeWidth: 2 } }],
  };
}

const point = (x: { concurrency: number; throughput: number }) => ({
  concurrency: x.concurrency,
  throughput: x.throughput,
});

/** Renders a vega-lite spec to SVG headless: vega's 'none' renderer needs no canvas or browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Both are ESM-only (vega-canvas awaits at top level), so they cannot be require()d.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Where a run's charts go: beside its JSON, in charts/ for a full run, smoke-charts/ for a smoke. */
export function chartsDir(resultsJson: string, mode: ChartInput['mode']): string {
  return path.join(path.dirname(resultsJson), mode === 'smoke' ? 'smoke-charts' : 'charts');
}

/** Writes latency.svg, throughput.svg and start.svg into outDir; returns their paths. */
export async function drawCharts(r: ChartInput, outDir: string): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const charts: [string, TopLevelSpec][] = [
    ['latency.svg', latencySpec(r)],
    ['throughput.svg', throughputSpec(r)],
    ['start.svg', startSpec(r)],
  ];
  const written: string[] = [];
  for (const [name, spec] of charts) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, (await renderSvg(spec)) + '\n');
    written.push(file);
  }
  return written;
}

/** `npm run bench:charts [results.json [outDir]]`: redraws a recorded run (default: the last full one). */
if (require.main === module) {
  const resultsDir = path.resolve(__dirname, 'results');
  const input = process.argv[2] ?? path.join(resultsDir, 'latest.json');
  const results = JSON.parse(fs.readFileSync(input, 'utf8')) as ChartInput;
  drawCharts(results, process.argv[3] ?? chartsDir(input, results.mode)).then(
    (files) => {
      for (const f of files) console.error(`wrote ${f}`);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

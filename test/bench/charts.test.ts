import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flows, type ChartInput } from '../../bench/charts';
import type { LoopResult } from '../../bench/load';
import { summarize } from '../../bench/stats';
import { repoRoot } from '../setup/tools';

/** A closed-loop result whose latencies spread from `fromMs` to 10 × `fromMs`. */
const loop = (fromMs: number, ok: number, concurrency = 1): LoopResult => ({
  concurrency,
  ...summarize(
    Array.from({ length: ok }, (_, i) => fromMs * (1 + (9 * i) / Math.max(1, ok - 1))),
    0,
    ok * fromMs,
  ),
  errorSamples: [],
});

/** The fields the charts read, with every flow measured except the scale's verify (no success). */
function fixture(): ChartInput {
  return {
    mode: 'smoke',
    finishedAt: '2026-12-01T12:34:56.789Z',
    start: {
      raw: [loop(5, 200, 1), loop(40, 300, 8)],
      http: [loop(7, 150, 1), loop(48, 250, 8)],
    },
    onboarding: {
      onboarding: loop(900, 50),
      baseline: loop(600, 50),
      serial: { onboarding: loop(30, 20), onboardingCompleted: loop(80, 20), baseline: loop(50, 20) },
    },
    mfa: {
      create: loop(50, 20),
      rawUpdateWithStart: loop(12, 20),
      verify: loop(17, 20),
      rawUpdate: loop(11, 20),
    },
    scale: { create: loop(700, 100), verifyWhileOpen: { ...loop(28, 0), errors: 5 } },
  } as unknown as ChartInput;
}

/** The stroke or fill of each drawn line (one per series) or bar in a vega SVG, in order. */
function marks(svg: string, kind: 'line mark' | 'bar'): string[] {
  const re = new RegExp(`<path [^>]*aria-roledescription="${kind}"[^>]*\\b(?:stroke|fill)="([^"]+)"`, 'g');
  return [...svg.matchAll(re)].map((m) => m[1] as string);
}

describe('bench charts', () => {
  const input = fixture();

  it('lists every measured flow once, in order, leaving out those with no success', () => {
    expect(flows(input).map((f) => f.label)).toEqual([
      'Onboarding via HTTP, c16',
      'Baseline: 4 no-op activities, c16',
      'Onboarding first response, c1',
      'Onboarding to its outcome, c1',
      'Baseline: 4 no-op activities, c1',
      'MFA create via HTTP',
      'Raw update-with-start',
      'MFA verify via HTTP (Update)',
      'Raw trivial Update',
      'Scale: create challenge',
    ]);
    expect(flows(input)[7]?.summary).toBe(input.mfa.verify);
  });

  describe('drawn by `npm run bench:charts` from a results file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-charts-'));
    const out = path.join(dir, 'charts');
    const svg: Record<string, string> = {};
    const labels = flows(input).map((f) => f.label);

    beforeAll(() => {
      const json = path.join(dir, 'results.json');
      fs.writeFileSync(json, JSON.stringify(input));
      // vega is ESM-only with a top-level await, which Jest's CommonJS runtime cannot load: the
      // charts are drawn as the bench draws them, by tsx in a child process.
      execFileSync(
        process.execPath,
        [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'bench/charts.ts', json, out],
        { cwd: repoRoot, stdio: 'pipe', timeout: 60_000 },
      );
      for (const name of ['latency.svg', 'throughput.svg', 'start.svg'])
        svg[name] = fs.readFileSync(path.join(out, name), 'utf8');
    }, 70_000);

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes three SVG documents whose titles carry the run', () => {
      expect(fs.readdirSync(out).sort()).toEqual(['latency.svg', 'start.svg', 'throughput.svg']);
      for (const [name, doc] of Object.entries(svg)) {
        expect([name, doc.startsWith('<svg')]).toEqual([name, true]);
        expect([name, doc.trimEnd().endsWith('</svg>')]).toEqual([name, true]);
        expect([name, doc]).toEqual([
          name,
          expect.stringContaining('smoke run, finished 2026-12-01T12:34:56.789Z'),
        ]);
        const width = Number(/<svg[^>]*\bwidth="(\d+(?:\.\d+)?)"/.exec(doc)?.[1]);
        expect([name, width >= 600 && width <= 760]).toEqual([name, true]);
      }
    });

    it('draws one latency curve per measured flow, each in its own colour, with its label in the legend', () => {
      const curves = marks(svg['latency.svg'] as string, 'line mark');
      expect(curves).toHaveLength(labels.length);
      expect(new Set(curves).size).toBe(labels.length);
      for (const label of labels) expect(svg['latency.svg']).toContain(`>${label}</text>`);
      expect(svg['latency.svg']).not.toContain('Scale: verify while open');
    });

    it('draws one throughput bar per measured flow, labelled with its rate', () => {
      // In the latency curves' colours, flow by flow.
      expect(marks(svg['throughput.svg'] as string, 'bar')).toEqual(
        marks(svg['latency.svg'] as string, 'line mark'),
      );
      for (const label of labels) expect(svg['throughput.svg']).toContain(`>${label}</text>`);
      expect(svg['throughput.svg']).toContain(`>${input.mfa.verify.throughput.toFixed(1)}</text>`);
    });

    it('draws the raw and the HTTP start throughput against concurrency', () => {
      expect(new Set(marks(svg['start.svg'] as string, 'line mark')).size).toBe(2);
      expect(svg['start.svg']).toContain('>raw client.workflow.start</text>');
      expect(svg['start.svg']).toContain('>HTTP POST /open-user-ib</text>');
    });
  });
});

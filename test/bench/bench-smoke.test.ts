import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flows, type ChartInput } from '../../bench/charts';
import { repoRoot } from '../setup/tools';

/**
 * `npm run bench` in smoke mode (seconds, concurrency 1–2, 100 challenges): the harness
 * must keep producing every number, with no errors. Performance is not asserted here.
 */
describe('bench harness (smoke)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-bench-')), 'smoke.json');
  let results: Record<string, unknown>;

  beforeAll(() => {
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'bench/run.ts', '--smoke'],
      {
        cwd: repoRoot,
        env: { ...process.env, BENCH_OUT: out },
        stdio: 'pipe',
        timeout: 170_000,
      },
    );
    results = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
  }, 180_000);

  afterAll(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

  it('reports every headline number as a finite number', () => {
    const summary = results.summary as Record<string, unknown>;
    for (const key of [
      'httpToRawStartThroughput',
      'httpStartP50OverheadMs',
      'onboardingToBaseline',
      'onboardingP50ToBaselineP50',
      'onboardingsPerSecond',
      'baselinePerSecond',
      'mfaCreateP50ToRawUpdateWithStart',
      'rawUpdateWithStartP50Ms',
      'mfaVerifyP50ToRawUpdate',
      'mfaVerifyP50Ms',
      'rawUpdateP50Ms',
      'scaleOpenChallenges',
      'scaleWorkerRssMb',
      'scaleServerRssMb',
      'scaleVerifyP50Ms',
      'cpuMsPerOnboardingApi',
      'cpuMsPerOnboardingWorker',
      'cpuMsPerOnboardingServer',
      'cpuMsPerBaselineServer',
      'cpuMsPerChallengeApi',
      'cpuMsPerChallengeWorker',
      'cpuMsPerChallengeServer',
      'errors',
      'started',
      'completed',
      'preloginSentPerSecond',
      'preloginAdmittedPerSecond',
      'preloginP50Ms',
      'preloginP99Ms',
      'preloginHottestShardShare',
      'preloginExactBudget',
      'preloginExactAdmitted',
      'preloginExactRefused',
    ]) {
      expect([key, typeof summary[key]]).toEqual([key, 'number']);
      expect([key, Number.isFinite(summary[key])]).toEqual([key, true]);
    }
  });

  it('counts no errors, and every started onboarding completed (visibility)', () => {
    const summary = results.summary as Record<string, number>;
    expect(summary.errors).toBe(0);
    expect(summary.started).toBeGreaterThan(0);
    expect(summary.completed).toBe(summary.started);
    expect(summary.scaleOpenChallenges).toBe(
      (results.options as { scaleChallenges: number }).scaleChallenges,
    );
  });

  it('admits exactly the caller budget of pre-login sends under a load above it, spread over quota shards', () => {
    const summary = results.summary as Record<string, number>;
    const { burst, exact } = results.prelogin as Record<string, Record<string, unknown>>;
    // Budget below the load: exactly the budget admitted, every other send refused (429).
    expect(summary.preloginExactBudget).toBe((results.options as { preloginBudget: number }).preloginBudget);
    expect(summary.preloginExactAdmitted).toBe(summary.preloginExactBudget);
    expect(summary.preloginExactRefused).toBe(
      (exact?.offered as number) - (summary.preloginExactAdmitted as number),
    );
    expect((exact?.shards as number[]).reduce((a, b) => a + b, 0)).toBe(summary.preloginExactAdmitted);
    // Budget above the load: none refused, and the sends are held by more than one quota run.
    expect(burst?.refused).toBe(0);
    expect((burst?.shards as number[]).filter((n) => n > 0).length).toBeGreaterThan(1);
    expect((burst?.shards as number[]).reduce((a, b) => a + b, 0)).toBe(
      (burst?.admitted as { ok: number }).ok,
    );
  });

  it('writes the markdown table beside the JSON', () => {
    const table = fs.readFileSync(out.replace(/\.json$/, '.md'), 'utf8');
    expect(table).toContain('| Metric | Value | Target | Met |');
    expect(table).toContain('Onboarding / baseline throughput');
    expect(table).toContain('Pre-login sends from one caller (scenario 6)');
    // A smoke run's charts are not kept, so its table links none.
    expect(table).not.toContain('charts/latency.svg');
  });

  it("records every flow's latency distribution and draws the charts beside the JSON (smoke-charts/)", () => {
    const charts = path.join(path.dirname(out), 'smoke-charts');
    for (const f of flows(results as unknown as ChartInput))
      expect([f.label, f.summary.distribution.length]).toEqual([f.label, 100]);
    expect(fs.readdirSync(charts).sort()).toEqual(['latency.svg', 'start.svg', 'throughput.svg']);
    for (const name of ['latency.svg', 'start.svg', 'throughput.svg'])
      expect([name, fs.readFileSync(path.join(charts, name), 'utf8').startsWith('<svg')]).toEqual([
        name,
        true,
      ]);
    expect(fs.readFileSync(path.join(charts, 'latency.svg'), 'utf8')).toContain(
      '>MFA verify via HTTP (Update)</text>',
    );
  });
});

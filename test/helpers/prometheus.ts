import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './launcher';
import { repoRoot } from '../setup/tools';

/** docker/prometheus/prometheus.yml, as Compose's Prometheus reads it. */
export interface ScrapeConfig {
  global?: Record<string, unknown>;
  scrape_configs: Array<{
    job_name: string;
    metrics_path?: string;
    scheme?: string;
    static_configs: Array<{ targets: string[] }>;
  }>;
}

export const scrapeConfigPath = path.join(repoRoot, 'docker/prometheus/prometheus.yml');
export const readScrapeConfig = (): ScrapeConfig =>
  parse(fs.readFileSync(scrapeConfigPath, 'utf8')) as ScrapeConfig;

/** Debian's Prometheus, installed on first use by scripts/prometheus/ensure.sh. */
export function ensurePrometheus(): string {
  try {
    const out = execFileSync('bash', [path.join(repoRoot, 'scripts/prometheus/ensure.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.trim().split('\n').at(-1) as string;
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`scripts/prometheus/ensure.sh failed (Debian package prometheus):\n${e.stderr ?? ''}`);
  }
}

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/query; throws unless Prometheus answers status "success". */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Every metric name Prometheus has scraped so far. */
  metricNames(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Runs Prometheus on a free 127.0.0.1 port with Compose's scrape config, each job's
 * targets replaced by the loopback address given for it (jobs not given are dropped),
 * scraping every second. Everything lives in a temporary directory that stop() removes.
 */
export async function startPrometheus(targets: Record<string, string>): Promise<RunningPrometheus> {
  const binary = ensurePrometheus();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-prometheus-'));
  const config = readScrapeConfig();
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.scrape_configs = config.scrape_configs
    .filter((job) => targets[job.job_name])
    .map((job) => ({ ...job, static_configs: [{ targets: [targets[job.job_name] as string] }] }));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr?.on('data', (d) => (log = (log + String(d)).slice(-20_000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      await stop();
      throw new Error(`Prometheus did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const api = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${url}${route}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${route}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    query: async (expr) =>
      (
        await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    metricNames: () => api<string[]>('/api/v1/label/__name__/values'),
    stop,
  };
}

/** Polls `check` until it is true (or throws on timeout with `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

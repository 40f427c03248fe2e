import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, testResultsDir, testRun } from '../setup/tools';

/** A port nothing listens on right now, on loopback. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Every process below `pid`, children first. */
export const descendants = (pid: number): number[] => {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (p: number) => pairs.filter(([, pp]) => pp === p).forEach(([c]) => (found.push(c), walk(c)));
  walk(pid);
  return found;
};

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm run build`, as `npm start` does; a failed build throws with the compiler's output.
 * Once per jest run: the sources do not change during a run, and each of the system suites
 * that run dist/ paid ~10 s for the same tsc + bundle. Outside a jest run (no run id), always.
 */
export function buildDist(): void {
  const run = testRun();
  const stamp = path.join(testResultsDir, 'dist-build-run');
  const built = () => fs.existsSync(path.join(repoRoot, 'dist/scripts/launcher.js'));
  if (run && built() && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === run) return;
  fs.rmSync(stamp, { force: true });
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  if (!run) return;
  fs.mkdirSync(testResultsDir, { recursive: true });
  fs.writeFileSync(stamp, run);
}

export const LAUNCHER_PORTS = [
  'PORT',
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'SIMULATOR_PORT',
  'WORKER_METRICS_PORT',
  'API_METRICS_PORT',
] as const;
export type LauncherPort = (typeof LAUNCHER_PORTS)[number];

export interface RunningLauncher {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly dataDir: string;
  readonly ports: Record<LauncherPort, number>;
  readonly apiUrl: string;
  readonly uiUrl: string;
  readonly simulatorUrl: string;
  /** Resolves with the launcher's exit code once it is gone. */
  readonly exited: Promise<number | null>;
  /** Everything the launcher (and through it every child) printed so far. */
  output(): string;
  /**
   * SIGTERM and wait (SIGKILL after `graceMs`), then SIGKILL any child still alive and
   * remove DATA_DIR; safe to call again or after the launcher has exited on its own.
   */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts the built launcher (`dist/scripts/launcher.js`, see buildDist) on free ports with a
 * fresh DATA_DIR and resolves at its `[launcher] up:` line. The worker is pointed at this
 * launcher's simulator, the API's codec CORS at this launcher's UI; `env` overrides.
 */
export async function startLauncher(
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningLauncher> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-launcher-'));
  const ports = {} as Record<LauncherPort, number>;
  for (const k of LAUNCHER_PORTS) ports[k] = await freePort();
  const ui = [`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`, `http://localhost:${ports.TEMPORAL_UI_PORT}`];
  const proc = spawn(process.execPath, [path.join(repoRoot, 'dist/scripts/launcher.js')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      HOST: '127.0.0.1',
      CODEC_CORS_ORIGINS: ui.join(','),
      ...opts.env,
    },
  });
  const pid = proc.pid as number;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let output = '';
  proc.stdout?.on('data', (d) => (output += String(d)));
  proc.stderr?.on('data', (d) => (output += String(d)));

  let stopped: Promise<number | null> | undefined;
  const stop = (graceMs = 60_000) => (stopped ??= stopOnce(graceMs));
  const stopOnce = async (graceMs: number): Promise<number | null> => {
    const children = descendants(pid);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(killer);
    for (const c of children.filter(alive)) {
      try {
        process.kill(c, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    return code;
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!output.includes('[launcher] up:')) {
    if (Date.now() > deadline || proc.exitCode !== null || proc.signalCode !== null) {
      await stop(10_000);
      throw new Error(`launcher did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    process: proc,
    pid,
    dataDir,
    ports,
    apiUrl: `http://127.0.0.1:${ports.PORT}`,
    uiUrl: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
    simulatorUrl: `http://127.0.0.1:${ports.SIMULATOR_PORT}`,
    exited,
    output: () => output,
    stop,
  };
}

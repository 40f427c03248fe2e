import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../setup/tools';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const descendants = (pid: number): number[] => {
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start`'s launcher, built as in production: the whole stack up, ready, and stopped with nothing left. */
describe('npm start launcher', () => {
  let launcher: ChildProcess;
  let output = '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-launcher-'));
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    for (const k of ['PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'SIMULATOR_PORT', 'WORKER_METRICS_PORT'])
      ports[k] = await freePort();
    launcher = spawn(process.execPath, [path.join(repoRoot, 'dist/scripts/launcher.js')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      },
    });
    launcher.stdout?.on('data', (d) => (output += String(d)));
    launcher.stderr?.on('data', (d) => (output += String(d)));
    const deadline = Date.now() + 120_000;
    while (!output.includes('[launcher] up:')) {
      if (Date.now() > deadline || launcher.exitCode !== null)
        throw new Error(`launcher did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 240_000);

  afterAll(() => {
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the server, UI, simulator, worker and API in order', async () => {
    const order = ['temporal', 'simulator', 'worker', 'api'].map((n) =>
      output.indexOf(`[launcher] ${n} ready`),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect((await fetch(`http://127.0.0.1:${ports.PORT}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.SIMULATOR_PORT}/healthz`)).status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/^temporal_\w+/m);
  });

  it('stops every child on SIGTERM and leaves no orphan', async () => {
    const children = descendants(launcher.pid as number);
    expect(children.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(output).toContain('[launcher] stopped');
  }, 60_000);
});

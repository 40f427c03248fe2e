import fs from 'node:fs';
import path from 'node:path';
import { alive, buildDist, descendants, startLauncher, type RunningLauncher } from '../helpers/launcher';

/** `npm start`'s launcher, built as in production: the whole stack up, ready, and stopped with nothing left. */
describe('npm start launcher', () => {
  let launcher: RunningLauncher;
  let output = '';
  let dataDir = '';
  let ports: RunningLauncher['ports'];

  beforeAll(async () => {
    buildDist();
    launcher = await startLauncher();
    ({ dataDir, ports } = launcher);
    output = launcher.output();
  }, 240_000);

  afterAll(async () => {
    await launcher?.stop();
  }, 90_000);

  it('starts the server, UI, simulator, worker and API in order', async () => {
    const order = ['temporal', 'simulator', 'worker', 'api'].map((n) =>
      output.indexOf(`[launcher] ${n} ready`),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    // The worker's build, made current once it polled: new runs go to it (docs/operations.md).
    expect(output).toMatch(/\[launcher\] current worker version ibmb-user-lifecycle:\d+\.\d+\.\d+\+\w+/);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect((await fetch(`http://127.0.0.1:${ports.PORT}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.SIMULATOR_PORT}/healthz`)).status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/^temporal_\w+/m);
  });

  it('stops every child on SIGTERM and leaves no orphan', async () => {
    const children = descendants(launcher.pid);
    expect(children.length).toBeGreaterThanOrEqual(4);
    launcher.process.kill('SIGTERM');
    expect(await launcher.exited).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(launcher.output()).toContain('[launcher] stopped');
  }, 60_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { devServerDynamicConfigArgs } from '../../lib/temporal-tuning';
import { E2E_SERVER_ENV, temporalCliPath, testResultsDir } from './tools';
import bundleWorkflows from './workflow-bundle';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * One in-memory Temporal dev server for the whole e2e layer: starting one per suite cost
 * seconds each. Suites stay apart by namespace (one per stack, registered by
 * createDevServerEnv) and by task queue, so no suite sees another's runs.
 */
export default async function e2eSetup(): Promise<void> {
  await bundleWorkflows();
  if (process.env.TEMPORAL_TEST_SERVER_ADDRESS) return; // an outside server was named
  const port = await freePort();
  fs.mkdirSync(testResultsDir, { recursive: true });
  const logFile = path.join(testResultsDir, 'e2e-dev-server.log');
  const log = fs.openSync(logFile, 'w');
  const server: ChildProcess = spawn(
    temporalCliPath,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'error',
      ...devServerDynamicConfigArgs(),
    ],
    { stdio: ['ignore', log, log] },
  );
  (globalThis as { ibmbE2eServer?: ChildProcess }).ibmbE2eServer = server;
  const deadline = Date.now() + 60_000;
  while (!(await accepts(port))) {
    if (server.exitCode !== null)
      throw new Error(`the e2e dev server exited (${server.exitCode}): see ${logFile}`);
    if (Date.now() > deadline) throw new Error('the e2e dev server did not listen within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env[E2E_SERVER_ENV] = `127.0.0.1:${port}`;
}

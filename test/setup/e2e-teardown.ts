import type { ChildProcess } from 'node:child_process';

/** Stops the e2e layer's dev server; suites tear down their own workers and stacks. */
export default async function e2eTeardown(): Promise<void> {
  const server = (globalThis as { ibmbE2eServer?: ChildProcess }).ibmbE2eServer;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const killed = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killed);
}

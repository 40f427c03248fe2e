import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { mintDevToken } from '../lib/dev-keys';
import { loadConfig, type Config } from '../config';
import { encryptingDataConverter } from '../lib/codec/data-converter';
import { buildDist, descendants, startLauncher, type RunningLauncher } from '../test/helpers/launcher';
import { benchHttpClient, type HttpAnswer } from './http-client';
import { findRoles, type Role } from './proc';
import type { NoopActivities } from './workflows';

export const BENCH_TASK_QUEUE = 'bench-baseline';

/** What every scenario runs against: the launched stack, a raw client and the bench's baseline worker. */
export interface BenchStack {
  launcher: RunningLauncher;
  config: Config;
  roles: Record<Role, number>;
  client: Client;
  token: string;
  temporalAddress: string;
  /** Settings the stack was started with (recorded in the results). */
  env: Record<string, string>;
  sms: SmsTail;
  http(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** Prometheus text of the worker's SDK metrics. */
  workerMetrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds dist/ (unless BENCH_SKIP_BUILD=1), starts the launcher's stack on free ports with
 * a fresh DATA_DIR (dev server on a SQLite file in WAL mode), and the bench worker.
 */
/**
 * POST /open-user-ib for a bench customer, as a channel would send it; `wait` is the Prefer
 * budget in seconds, or the whole Prefer header.
 */
export function openUserIb(
  stack: BenchStack,
  customerId: string,
  wait: number | string,
): Promise<HttpAnswer> {
  return stack.http(
    'POST',
    '/open-user-ib',
    {
      requestId: `req-${customerId}`,
      customerId,
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    },
    { prefer: typeof wait === 'number' ? `wait=${wait}` : wait },
  );
}

export async function startBenchStack(env: Record<string, string>): Promise<BenchStack> {
  if (process.env.BENCH_SKIP_BUILD !== '1') buildDist();
  const launcher = await startLauncher({ env, timeoutMs: 180_000 });
  try {
    const config = loadConfig({ ...env, DATA_DIR: launcher.dataDir });
    const roles = findRoles(descendants(launcher.pid));
    const temporalAddress = `127.0.0.1:${launcher.ports.TEMPORAL_PORT}`;
    const dataConverter = encryptingDataConverter(config);
    const connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({ connection, dataConverter });
    const token = await mintDevToken(config, {
      scopes: ['ib-users:write', 'mfa:write', 'mfa:any-user', 'processes:read'],
      expiresIn: '2h',
    });

    // The baseline worker: same SDK, same kind of connection, same encryption, own task queue.
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      logger: quietLogger,
    });
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    const activities: NoopActivities = { noop: async (step) => step };
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: BENCH_TASK_QUEUE,
      workflowBundle: { code },
      activities,
      dataConverter,
      maxCachedWorkflows: Number(env.WORKER_MAX_CACHED_WORKFLOWS ?? 1000),
    });
    const workerRun = worker.run();

    const httpClient = benchHttpClient(launcher.apiUrl, token);

    return {
      launcher,
      config,
      roles,
      client,
      token,
      temporalAddress,
      env,
      sms: new SmsTail(path.join(config.outboxDir, 'sms.jsonl')),
      http: httpClient.request,
      workerMetrics: async () =>
        (await fetch(`http://127.0.0.1:${launcher.ports.WORKER_METRICS_PORT}/metrics`)).text(),
      async stop() {
        worker.shutdown();
        await workerRun.catch(() => undefined);
        httpClient.close();
        await nativeConnection.close();
        await connection.close();
        await launcher.stop(30_000);
      },
    };
  } catch (e) {
    await launcher.stop(10_000);
    throw e;
  }
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: console.error,
};

const CODE = /(\d{6}) is your verification code/;
const MFA_ID = /^mfa-([0-9a-f-]{36})\./;

/** Follows the SMS outbox: the latest code sent for each challenge (by serviceKey). */
export class SmsTail {
  private offset = 0;
  private partial = '';
  readonly codes = new Map<string, string>();
  constructor(private readonly file: string) {}

  /** Reads what was appended since the last call. */
  poll(): void {
    if (!fs.existsSync(this.file)) return;
    const size = fs.statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buf.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const m = JSON.parse(line) as { id?: string; body?: string };
        const key = MFA_ID.exec(m.id ?? '')?.[1];
        const code = CODE.exec(m.body ?? '')?.[1];
        if (key && code) this.codes.set(key, code);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The code sent for this challenge, polling the outbox until it is there. */
  async codeFor(serviceKey: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      const code = this.codes.get(serviceKey);
      if (code) return code;
      if (Date.now() > deadline) throw new Error(`no SMS code for ${serviceKey} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** Polls visibility until `query` counts `expected` (or the timeout), returns the last count. */
export async function visibilityCount(
  client: Client,
  query: string,
  expected?: number,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let count: number | undefined;
    try {
      ({ count } = await client.workflow.count(query));
    } catch (e) {
      // The dev server's SQLite visibility store can fail a count under load: ask again.
      if (Date.now() > deadline) throw e;
    }
    if (count !== undefined && (expected === undefined || count === expected || Date.now() > deadline))
      return count;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many runs `query` counts beyond `before`, once that is `added` (or the timeout). */
export async function visibilityCountSince(
  client: Client,
  query: string,
  before: number,
  added: number,
): Promise<number> {
  return (await visibilityCount(client, query, before + added)) - before;
}

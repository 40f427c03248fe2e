import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerDynamicConfigArgs } from '../../lib/temporal-tuning';
import { devServerSearchAttributeArgs } from '../../messages/search-attributes';
import { httpOk, waitUntil } from '../launcher/child';
import { temporalCli } from '../../lib/tools';

/**
 * The embedded stack as four separate, individually killable processes (unlike
 * scripts/launcher.ts, which stops everything when one child dies): the Temporal dev
 * server on a SQLite file, the core-banking simulator, the worker and the API, all from
 * dist/ (`npm run build` first), on free loopback ports, with a fresh DATA_DIR.
 */
export const repoRoot = path.resolve(__dirname, '..', '..');
const dist = path.join(repoRoot, 'dist');

export type Part = 'temporal' | 'simulator' | 'worker' | 'api';
export const PARTS: Part[] = ['temporal', 'simulator', 'worker', 'api'];

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StackOptions {
  /** Extra environment for the worker and the API (and the simulator). */
  env?: Record<string, string>;
  /** Keep DATA_DIR on stop (for inspection). */
  keepData?: boolean;
  /** Number of worker processes (default 1). */
  workers?: number;
  /** Use this Temporal server instead of starting a dev server (e.g. the PostgreSQL topology). */
  temporalAddress?: string;
  /** Environment for one part only (e.g. a worker and an API with different SERVER_HMAC_KEYs). */
  partEnv?: Partial<Record<Part, Record<string, string>>>;
  /** The API counts as started when this path answers 2xx (default /readyz). */
  apiReadyPath?: string;
}

export class ChaosStack {
  readonly dataDir: string;
  readonly logDir: string;
  ports = { temporal: 0, ui: 0, simulator: 0, api: 0 };
  private procs = new Map<string, ChildProcess>();
  /** Per-part environment; may be changed before a part is restarted. */
  partEnv: Partial<Record<Part, Record<string, string>>>;

  constructor(private readonly opts: StackOptions = {}) {
    this.partEnv = { ...opts.partEnv };
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-chaos-'));
    this.logDir = path.join(this.dataDir, 'logs');
    fs.mkdirSync(this.logDir, { recursive: true });
  }

  get apiUrl() {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  get simulatorUrl() {
    return `http://127.0.0.1:${this.ports.simulator}`;
  }
  get temporalAddress() {
    return this.opts.temporalAddress ?? `127.0.0.1:${this.ports.temporal}`;
  }
  get workerNames(): string[] {
    return Array.from({ length: this.opts.workers ?? 1 }, (_, i) => (i === 0 ? 'worker' : `worker${i + 1}`));
  }

  /** Environment shared by the simulator, the worker(s) and the API. */
  env(): Record<string, string> {
    return {
      DATA_DIR: this.dataDir,
      TEMPORAL_ADDRESS: this.temporalAddress,
      PORT: String(this.ports.api),
      HOST: '127.0.0.1',
      SIMULATOR_PORT: String(this.ports.simulator),
      CORE_BANKING_URL: this.simulatorUrl,
      WORKER_METRICS_PORT: '0',
      API_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      TEMPORAL_TASK_QUEUE: 'ibmb-user-lifecycle',
      // Nothing here makes a worker version current (npm start's launcher does): unversioned.
      WORKER_VERSIONING: 'false',
      ...this.opts.env,
    };
  }

  async start(): Promise<void> {
    this.ports = {
      temporal: await freePort(),
      ui: await freePort(),
      simulator: await freePort(),
      api: await freePort(),
    };
    if (!this.opts.temporalAddress) await this.startPart('temporal');
    await this.startPart('simulator');
    for (const w of this.workerNames) await this.startProcess(w);
    await this.startPart('api');
  }

  /** Starts a part (every worker for 'worker') or one named process (e.g. 'worker2'). */
  async startPart(part: Part | string): Promise<void> {
    if (part === 'worker') {
      for (const w of this.workerNames) await this.startProcess(w);
    } else await this.startProcess(part);
  }

  private async startProcess(name: string): Promise<void> {
    const part = (name.startsWith('worker') ? 'worker' : name) as Part;
    const log = fs.openSync(path.join(this.logDir, `${name}.log`), 'a');
    const [command, args] = this.commandFor(part);
    const proc = spawn(command, args, {
      cwd: repoRoot,
      // The worker's readiness is its "worker running" line, logged at info.
      env: {
        ...process.env,
        ...this.env(),
        ...(part === 'worker' ? { LOG_LEVEL: 'info' } : {}),
        ...this.partEnv[part],
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.procs.set(name, proc);
    await this.ready(name, part, proc);
  }

  private commandFor(part: Part): [string, string[]] {
    switch (part) {
      case 'temporal':
        return [
          temporalCli(repoRoot),
          [
            'server',
            'start-dev',
            '--db-filename',
            path.join(this.dataDir, 'temporal.sqlite'),
            '--ip',
            '127.0.0.1',
            '--port',
            String(this.ports.temporal),
            '--ui-port',
            String(this.ports.ui),
            '--headless',
            '--namespace',
            'default',
            '--log-level',
            'error',
            ...devServerSearchAttributeArgs(),
            ...devServerDynamicConfigArgs(),
          ],
        ];
      case 'simulator':
        return [process.execPath, [path.join(dist, 'simulator', 'main.js')]];
      case 'worker':
        return [process.execPath, [path.join(dist, 'worker', 'main.js')]];
      case 'api':
        return [process.execPath, [path.join(dist, 'api', 'main.js')]];
    }
  }

  private async ready(name: string, part: Part, proc: ChildProcess): Promise<void> {
    const died = () => proc.exitCode !== null || proc.signalCode !== null;
    const guard = (probe: () => Promise<boolean>) => async () => {
      if (died())
        throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}):\n${this.tail(name)}`);
      return probe();
    };
    const check = async (what: string, probe: () => Promise<boolean>, ms: number) => {
      try {
        await waitUntil(what, guard(probe), ms);
      } catch (e) {
        if (died())
          throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}):\n${this.tail(name)}`);
        throw e;
      }
      if (died()) throw new Error(`${name} exited:\n${this.tail(name)}`);
    };
    switch (part) {
      case 'temporal':
        return check(
          'Temporal dev server',
          async () => {
            const c = await Connection.connect({ address: this.temporalAddress, connectTimeout: 1_000 });
            try {
              await c.workflowService.getSystemInfo({});
              return true;
            } finally {
              await c.close();
            }
          },
          60_000,
        );
      case 'simulator':
        return check('simulator', httpOk(`${this.simulatorUrl}/healthz`), 30_000);
      case 'worker': {
        const file = path.join(this.logDir, `${name}.log`);
        const before = this.runningLines(file);
        return check('worker', async () => this.runningLines(file) > before, 60_000);
      }
      case 'api':
        return check('API', httpOk(`${this.apiUrl}${this.opts.apiReadyPath ?? '/readyz'}`), 30_000);
    }
  }

  private runningLines(file: string): number {
    if (!fs.existsSync(file)) return 0;
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"msg":"worker running"')).length;
  }

  /** The last lines a process wrote. */
  tail(name: string, lines = 30): string {
    const file = path.join(this.logDir, `${name}.log`);
    if (!fs.existsSync(file)) return '';
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** `kill -9` every process of a part; resolves once they are gone. */
  async kill(part: Part | string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const names = part === 'worker' ? this.workerNames : [part];
    await Promise.all(names.map((n) => this.killProcess(n, signal)));
  }

  async killProcess(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await gone;
  }

  /** Starts one named process again (e.g. `worker2`). */
  async restartProcess(name: string): Promise<void> {
    await this.startProcess(name);
  }

  pid(name: string): number | undefined {
    return this.procs.get(name)?.pid;
  }

  /** Stops everything (API first); removes DATA_DIR unless keepData. */
  async stop(): Promise<void> {
    const order = ['api', ...this.workerNames, 'simulator', 'temporal'];
    for (const name of order) {
      const proc = this.procs.get(name);
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) continue;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    }
    if (!this.opts.keepData) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Records of an outbox file; a torn last line (a process killed mid-write) is skipped. */
  outbox(name: 'sms' | 'webhooks' | 'email'): Record<string, unknown>[] {
    const file = path.join(this.dataDir, 'outbox', `${name}.jsonl`);
    if (!fs.existsSync(file)) return [];
    const out: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // torn line
      }
    }
    return out;
  }
}

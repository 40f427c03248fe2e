import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

const COLOURS = [36, 35, 33, 32, 34];

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves once the child can serve; rejects if it cannot. */
  ready: (child: Child) => Promise<void>;
}

/** One supervised process with `[name]`-prefixed output and a clean stop. */
export class Child {
  private proc?: ChildProcess;
  private exited?: Promise<number | null>;
  private lineListeners: ((line: string) => void)[] = [];
  stopping = false;

  constructor(
    readonly spec: ChildSpec,
    private readonly index: number,
    /** How a line is shown (children log JSON to the pipe; a terminal may want it pretty). */
    private readonly render: (line: string) => string = (line) => line,
  ) {}

  start(onUnexpectedExit: (code: number | null) => void): void {
    const { name, command, args, env } = this.spec;
    const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const prefix = process.stdout.isTTY
      ? `\x1b[${COLOURS[this.index % COLOURS.length]}m[${name}]\x1b[0m `
      : `[${name}] `;
    for (const stream of [proc.stdout, proc.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        process.stdout.write(prefix + this.render(line) + '\n');
        for (const l of this.lineListeners) l(line);
      });
    }
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
      if (!this.stopping) onUnexpectedExit(code);
    });
  }

  /** Resolves at the first output line that matches. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.spec.name}: no "${pattern}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.lineListeners.push((line) => {
        if (pattern.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const killer = setTimeout(() => this.proc?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Polls `probe` until it resolves true or the time is up. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}

export const httpOk = (url: string) => async () =>
  (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;

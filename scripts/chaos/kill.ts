import {
  emptyTally,
  pool,
  seedCustomers,
  setFaults,
  settle,
  startChallenge,
  startOnboarding,
  tokensFor,
  verify,
  type Challenge,
  type Onboarding,
  type Tally,
} from './load';
import { ChaosStack, sleep, type Part, type StackOptions } from './stack';

export interface KillEvent {
  part: string;
  /** Requests started when the kill came. */
  atRequest: number;
  downMs: number;
  /** From the kill until the part was ready again. */
  recoveryMs: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  onboardings: number;
  challenges: number;
  tally: Tally;
  events: KillEvent[];
  /** From the last restart until no accepted run was in flight. */
  settleMs: number;
  durationMs: number;
  /** What the audit trail tells, in a line. */
  story?: string;
}

export interface KillOptions {
  onboardings: number;
  challenges: number;
  /** Concurrent clients. */
  concurrency?: number;
  /** Which parts (or named processes, e.g. 'worker2') to kill, in order (default worker, api, temporal). */
  parts?: (Part | string)[];
  /** Stack options, e.g. an external Temporal server and two workers. */
  stack?: StackOptions;
  /** Name and description in the report. */
  name?: string;
  /** How long each part stays down. */
  downMs?: number;
  log?: (line: string) => void;
}

/**
 * With onboardings and MFA challenges in flight, `kill -9` the worker, then the API, then
 * the Temporal dev server (SQLite file), restarting each; then checks every accepted
 * request completed exactly once.
 */
export async function runKillScenario(opts: KillOptions): Promise<ScenarioResult> {
  const log = opts.log ?? (() => undefined);
  const parts = opts.parts ?? ['worker', 'api', 'temporal'];
  const downMs = opts.downMs ?? 3_000;
  const started = Date.now();
  const stack = new ChaosStack({
    keepData: process.env.CHAOS_KEEP_DATA === '1',
    ...opts.stack,
    // The longest code validity: codes are verified after every run has settled.
    env: { MFA_OTP_TTL_SECONDS: '600', ...opts.stack?.env },
  });
  const tally = emptyTally();
  const events: KillEvent[] = [];
  try {
    await stack.start();
    log(`stack up (DATA_DIR ${stack.dataDir})`);
    const tokens = await tokensFor(stack);
    const customers = await seedCustomers(stack, opts.onboardings, 700_000);
    const onboardings: Onboarding[] = customers.map((c) => ({
      ...c,
      requestId: `chaos-${c.customerId}`,
      accepted: false,
    }));
    const challenges: Challenge[] = Array.from({ length: opts.challenges }, (_, i) => ({
      phone: `+25410${String(1_000_000 + i)}`, // Kenyan mobiles: MFA_ALLOWED_COUNTRIES
      accepted: false,
    }));
    // Slow core banking a little, so runs are still in flight when the kills come.
    await setFaults(stack, { latencyMs: 150 });

    // Interleave the two kinds of request; the kills come at even points of the stream.
    const work: (() => Promise<void>)[] = [];
    const deadline = () => Date.now() + 180_000;
    for (let i = 0; i < Math.max(onboardings.length, challenges.length); i++) {
      const o = onboardings[i];
      const c = challenges[i];
      if (o) work.push(() => startOnboarding(stack, tokens, tally, o, deadline()));
      if (c) work.push(() => startChallenge(stack, tokens, tally, c, deadline()));
    }
    let begun = 0;
    const killAt = parts.map((_, k) => Math.floor(((k + 1) * work.length) / (parts.length + 1)));
    const killer = (async () => {
      for (const [k, part] of parts.entries()) {
        while (begun < (killAt[k] ?? 0)) await sleep(20);
        const t0 = Date.now();
        const atRequest = begun;
        log(`kill -9 ${part} at request ${atRequest}/${work.length}`);
        await stack.kill(part);
        await sleep(downMs);
        await stack.startPart(part);
        const recoveryMs = Date.now() - t0;
        log(`${part} back after ${recoveryMs} ms`);
        events.push({ part, atRequest, downMs, recoveryMs });
      }
    })();
    await pool(work, opts.concurrency ?? 16, async (run) => {
      begun++;
      await run();
    });
    await killer;
    const settleMs = await settle(stack, tokens, onboardings, challenges, 180_000);
    log(`settled after ${settleMs} ms`);
    await setFaults(stack, null);
    await verify(stack, tokens, onboardings, challenges, tally);
    return {
      name: opts.name ?? 'process-kills',
      description: `kill -9 ${parts.join(', then ')} (each down ${downMs / 1000} s, then restarted) with requests in flight`,
      onboardings: opts.onboardings,
      challenges: opts.challenges,
      tally,
      events,
      settleMs,
      durationMs: Date.now() - started,
    };
  } catch (e) {
    for (const name of ['temporal', 'simulator', 'worker', 'api']) {
      log(`--- ${name} log tail ---\n${stack.tail(name)}`);
    }
    throw e;
  } finally {
    await stack.stop();
  }
}

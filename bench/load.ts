import { performance } from 'node:perf_hooks';
import { summarize, type Summary } from './stats';

export interface LoopOptions {
  concurrency: number;
  /** Stop issuing new operations after this long (whichever of the two comes first). */
  durationMs?: number;
  /** Stop after this many operations in all. */
  iterations?: number;
  /** Also collects each successful operation's latency here (a phase run as several loops). */
  latencies?: number[];
}

export interface LoopResult extends Summary {
  concurrency: number;
  /** The first few error messages, to tell what went wrong. */
  errorSamples: string[];
}

/**
 * A closed loop: `concurrency` callers, each issuing its next operation as soon as the
 * previous one finished. An operation that throws counts as an error, never as a success.
 */
export async function closedLoop(o: LoopOptions, op: (i: number) => Promise<void>): Promise<LoopResult> {
  if (o.durationMs === undefined && o.iterations === undefined)
    throw new Error('closedLoop needs a duration or an iteration count');
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const stopAt = o.durationMs === undefined ? Infinity : start + o.durationMs;
  const limit = o.iterations ?? Infinity;
  const caller = async () => {
    while (next < limit && performance.now() < stopAt) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        const ms = performance.now() - t0;
        latencies.push(ms);
        o.latencies?.push(ms);
      } catch (e) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, caller));
  return {
    concurrency: o.concurrency,
    ...summarize(latencies, errors, performance.now() - start),
    errorSamples,
  };
}

/** Several closed loops as one phase: their latencies (collected in `latencies`), errors and time add up. */
export function mergeLoops(parts: readonly LoopResult[], latencies: readonly number[]): LoopResult {
  const errors = parts.reduce((n, p) => n + p.errors, 0);
  const durationMs = parts.reduce((n, p) => n + p.durationMs, 0);
  return {
    concurrency: parts[0]?.concurrency ?? 0,
    ...summarize(latencies, errors, durationMs),
    errorSamples: parts.flatMap((p) => p.errorSamples).slice(0, 5),
  };
}

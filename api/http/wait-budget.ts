import type { Request } from 'express';
import type { Client } from '@temporalio/client';

/** `Prefer: wait=N` (RFC 7240) in seconds, capped; the configured budget otherwise. */
export function waitBudgetMs(req: Request, defaultMs: number, maxSeconds: number): number {
  const match = /(?:^|[;,\s])wait=(\d{1,4})(?:$|[;,\s])/i.exec(req.get('prefer') ?? '');
  if (!match?.[1]) return defaultMs;
  return Math.min(Number(match[1]), maxSeconds) * 1000;
}

/**
 * `Prefer: milestone=<name>` (an RFC 7240 extension preference): answer at that milestone
 * of the process (Early Return) rather than at its outcome.
 */
export function prefersMilestone(req: Request, name: string): boolean {
  return new RegExp(`(?:^|[;,\\s])milestone=${name}(?:$|[;,\\s])`, 'i').test(req.get('prefer') ?? '');
}

/** The wait budget ran out before the awaited result came. */
export class BudgetExceeded extends Error {
  constructor(ms: number) {
    super(`no result within ${ms} ms`);
    this.name = 'BudgetExceeded';
  }
}

/**
 * Awaits `op` for at most `ms`, then aborts its calls and throws BudgetExceeded. The
 * answer does not depend on the RPCs honouring the abort: the client cancels only the
 * first attempt of a call (its retry of an UNAVAILABLE call, as while the Temporal server
 * restarts, runs on), and a call started after the abort is not cancelled at all, so a
 * long poll on a result could otherwise hold the HTTP answer until the run ends.
 */
export async function withinBudget<T>(
  client: Pick<Client, 'withAbortSignal'>,
  ms: number,
  op: () => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new BudgetExceeded(ms)); // first, so the race settles on it, not on the abort's error
      controller.abort();
    }, ms);
  });
  const running = client.withAbortSignal(controller.signal, op);
  running.catch(() => undefined); // settling after we stopped waiting is not an unhandled rejection
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

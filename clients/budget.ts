import type { Client } from '@temporalio/client';

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

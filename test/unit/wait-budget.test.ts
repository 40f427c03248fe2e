import { BudgetExceeded, withinBudget } from '../../clients/budget';

/** A client whose calls see the abort signal, or ignore it as a retried RPC does. */
const client = (honourAbort: boolean) => ({
  withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>): Promise<R> =>
    honourAbort
      ? new Promise<R>((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('cancelled')));
          fn().then(resolve, reject);
        })
      : fn(),
});

const never = () => new Promise<string>(() => undefined);

describe('withinBudget', () => {
  it('returns the result that comes within the budget', async () => {
    await expect(withinBudget(client(true), 1_000, async () => 'done')).resolves.toBe('done');
  });

  it('passes the operation’s own failure through', async () => {
    await expect(
      withinBudget(client(true), 1_000, () => Promise.reject(new Error('refused'))),
    ).rejects.toThrow('refused');
  });

  it('gives up at the budget when the call honours the abort', async () => {
    await expect(withinBudget(client(true), 50, never)).rejects.toBeInstanceOf(BudgetExceeded);
  });

  it('gives up at the budget even when the call ignores the abort', async () => {
    const t0 = Date.now();
    await expect(withinBudget(client(false), 50, never)).rejects.toBeInstanceOf(BudgetExceeded);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('aborts the call it stopped waiting for', async () => {
    let seen: AbortSignal | undefined;
    const spy = {
      withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>) => ((seen = signal), fn()),
    };
    await expect(withinBudget(spy, 20, never)).rejects.toBeInstanceOf(BudgetExceeded);
    expect(seen?.aborted).toBe(true);
  });
});

import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common';
import { sawStep, stepNow } from './step-clock';

/**
 * How a step tries inside the worker before it becomes a regular activity: a few attempts
 * with quick retries (0.2, 0.4, 0.8 s apart). Each attempt may take as long as one of the
 * regular activity (its startToClose), which is always longer than the adapters' own
 * timeouts for the calls it makes: an attempt is never cut short while its call is still
 * on the way (the cut attempt's call would go on, and its retry call again). The workflow
 * task stays open meanwhile (the SDK heartbeats it). Bounded by attempts: the SDK's local
 * schedule-to-close does not stop retries that are backing off
 * (test/workflows/local-first.test.ts saw them go on past it).
 */
export const LOCAL_BUDGET = {
  /** Only for options that name no startToClose (every options object in activity-options.ts does). */
  startToCloseMs: 30_000,
  maximumAttempts: 4,
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' },
} as const;

/**
 * Activities that run local first: in the worker, inside the workflow task that calls them,
 * with no round trip through the server to schedule, dispatch and record each one (a
 * marker is all the history gets). A call still failing after LOCAL_BUDGET (the dependency
 * is down or slow) runs again as a regular activity with `options`, less the time its local
 * attempts took (remainderOf): durable retries for as long as they allow, visible in the
 * UI as pending. A business refusal (non-retryable) or a
 * cancellation ends the call either way.
 *
 * Both runs of a call use the same arguments, so the side effect's key is the same: a
 * local attempt that did its work but was not recorded (a crash, a timeout) is repeated
 * under the same key, as a retried regular activity's would be.
 */
export function localFirst<A extends object>(
  options: ActivityOptions | (() => ActivityOptions),
  how: LocalFirstOptions = {},
): A {
  type Calls = Record<string, (...args: unknown[]) => Promise<unknown>>;
  // A function: the options are worked out at each call (a bound that counts down, such as
  // a code's validity, has run on meanwhile).
  const optionsNow = () => (typeof options === 'function' ? options() : options);
  const call =
    (name: string) =>
    async (...args: unknown[]): Promise<unknown> => {
      const regular = (o: ActivityOptions) => proxyActivities<A>(o) as unknown as Calls;
      if (how.regularNow?.()) return (regular(optionsNow())[name] as Calls[string])(...args);
      // When the local attempt really starts: after the local steps before it in this task.
      const startedMs = stepNow();
      const budget = optionsNow();
      const local = proxyLocalActivities<A>(localOptions(budget)) as unknown as Calls;
      try {
        return sawStep(await (local[name] as Calls[string])(...args));
      } catch (err) {
        if (!fallsBack(err)) throw err;
        // The failed attempts took real time this task's clock does not show; the next
        // task's does. The regular run gets what is left of the budget they started.
        await sleep(1);
        return (regular(remainderOf(budget, stepNow() - startedMs))[name] as Calls[string])(...args);
      }
    };
  return new Proxy({} as A, { get: (_, name) => (typeof name === 'string' ? call(name) : undefined) });
}

export interface LocalFirstOptions {
  /**
   * Asked at each call: true runs this call as a regular activity at once, so the workflow
   * task (held open while local activities run) completes first.
   */
  regularNow?: () => boolean;
}

/**
 * The local budget: the regular activity's attempt limit per attempt (so never shorter than
 * the adapter's timeout), LOCAL_BUDGET's attempts, within the regular activity's
 * schedule-to-close when it has one (a code's validity).
 */
export function localOptions(options: ActivityOptions): LocalActivityOptions {
  const startToClose =
    options.startToCloseTimeout === undefined
      ? LOCAL_BUDGET.startToCloseMs
      : msToNumber(options.startToCloseTimeout);
  return {
    startToCloseTimeout: startToClose,
    ...(options.scheduleToCloseTimeout !== undefined && {
      scheduleToCloseTimeout: msToNumber(options.scheduleToCloseTimeout),
    }),
    retry: { ...LOCAL_BUDGET.retry, maximumAttempts: LOCAL_BUDGET.maximumAttempts },
  };
}

/**
 * A budget with `elapsedMs` spent: its schedule-to-close (when it has one) counts from when
 * the local attempt started, never again from the fallback.
 */
export function remainderOf(options: ActivityOptions, elapsedMs: number): ActivityOptions {
  if (options.scheduleToCloseTimeout === undefined) return options;
  const left = msToNumber(options.scheduleToCloseTimeout) - Math.max(0, elapsedMs);
  return { ...options, scheduleToCloseTimeout: Math.max(1_000, left) };
}

/** A local attempt that ran out of budget falls back; a refusal or a cancellation does not. */
export function fallsBack(err: unknown): boolean {
  if (isCancellation(err)) return false;
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

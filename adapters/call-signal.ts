import { asyncLocalStorage } from '@temporalio/activity';

/**
 * The signal an adapter's outbound call runs under: its own timeout, and the calling
 * activity's cancellation. A local attempt that ran out of time, a regular one whose run
 * was cancelled: the call in flight is aborted then, so a retry never overlaps it.
 * Outside an activity (scripts, the API) only the timeout applies.
 */
export function callSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  const cancelled = activityCancellation();
  return cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
}

/** The calling activity's cancellation signal; undefined outside an activity. */
export function activityCancellation(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

/**
 * Whether the calling activity's workflow asked for its cancellation (not a timeout, not a
 * worker's shutdown). A call it aborted must end the activity as cancelled: reported as a
 * failure, the SDK would retry a local activity the workflow no longer waits for, sending
 * its call again.
 */
export function cancelRequested(): boolean {
  return asyncLocalStorage.getStore()?.cancellationDetails?.cancelRequested === true;
}

/** Whether `signal` ended by its timeout (not by the activity's cancellation). */
export function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

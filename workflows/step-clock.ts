/**
 * Workflow time as steps see it. Date.now() in a workflow is the start of its current
 * workflow task, and local activities (workflows/local-first.ts) run back to back inside
 * one task: after a chain of them it still says when the chain began. A local step's
 * result may carry `at` (the activity's time when it was done, ISO 8601): the clock moves
 * on to it, so the trail, the resend clock and the fallback's deadline count from when
 * things happened. Only ever forward (a worker's clock a little behind the server's changes
 * nothing), and deterministic: `at` is in the recorded result, replayed as it was.
 * Module state is per workflow run (the SDK isolates each run's globals).
 */
let seenMs = 0;

/** Now, for this run: the task's time, or the latest step done since, if later. */
export function stepNow(): number {
  return Math.max(Date.now(), seenMs);
}

/** Notes a step's result: its `at`, when it has one. Returns the result. */
export function sawStep<T>(result: T): T {
  const at = (result as { at?: unknown } | null | undefined)?.at;
  const ms = typeof at === 'string' ? Date.parse(at) : NaN;
  if (Number.isFinite(ms) && ms > seenMs) seenMs = ms;
  return result;
}

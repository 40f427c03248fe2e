/**
 * A local-first step's result with when it was done (`at`, ISO 8601). Steps that run local
 * share one workflow task, whose clock stands at the task's start; the workflow moves its
 * own on to `at` (workflows/step-clock.ts) for the trail, the resend clock and the budgets.
 */
// `at` is optional in the type: results recorded before it, and test doubles, carry none.
export async function doneAt<T extends object>(result: Promise<T> | T): Promise<T & { at?: string }> {
  return { ...(await result), at: new Date().toISOString() };
}

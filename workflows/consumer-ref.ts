import { patched, workflowInfo } from '@temporalio/workflow';

/**
 * Runs from before it consume proofs as their workflow id, which every run of a per-user
 * process shares (reset-<userId>, secq-<userId>, phone-<userId>): a later run found the
 * proof "consumed by us" and took it again. New runs consume as their execution chain.
 */
export const CONSUME_BY_RUN_PATCH = 'consume-by-run';

/**
 * Who consumes a proof: this run's execution chain (workflow id and first run id), so a
 * retried consume of this run is recognised as its own, an ops reset (same chain) too, and
 * a later run of the same process is refused the spent proof.
 */
export function consumerRef(): string {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return patched(CONSUME_BY_RUN_PATCH) ? `${workflowId}/${firstExecutionRunId}` : workflowId;
}

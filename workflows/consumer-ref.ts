import { workflowInfo } from '@temporalio/workflow';

/**
 * Who consumes a proof: this run's execution chain (workflow id and first run id), so a
 * retried consume of this run is recognised as its own, an ops reset (same chain) too, and
 * a later run of the same process (reset-<userId>, secq-<userId>, phone-<userId>) is
 * refused the spent proof.
 */
export function consumerRef(): string {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return `${workflowId}/${firstExecutionRunId}`;
}

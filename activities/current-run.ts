import { Context } from '@temporalio/activity';
import type { CallContext } from '../adapters/core-banking/types';

/** The run this activity works for (activities here always run inside a workflow). */
export function currentRun(): { workflowId: string; runId: string } {
  const { workflowExecution, activityId } = Context.current().info;
  return { workflowId: workflowExecution?.workflowId ?? activityId, runId: workflowExecution?.runId ?? '' };
}

/** Every core-banking call carries the process id, so ESB logs join up with the audit trail. */
export const coreBankingContext = (): CallContext => ({ correlationId: currentRun().workflowId });

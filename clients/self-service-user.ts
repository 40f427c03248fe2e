import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { READ_SELF_SERVICE_USER_WORKFLOW, type SelfServiceUserState } from '../messages/self-service-users';
import { awaitOutcome, type Outcome } from './process-outcome';
import { withStartBudget } from './process-start';

const READ_BUDGET_MS = 10_000;

/** The user as core banking and its login hold it, read by a short run (the API holds no core-banking client). */
export async function readSelfServiceUser(
  client: Client,
  taskQueue: string,
  userId: string,
): Promise<Outcome<SelfServiceUserState>> {
  const handle = await withStartBudget(client, () =>
    client.workflow.start(READ_SELF_SERVICE_USER_WORKFLOW, {
      taskQueue,
      workflowId: `ssread-${userId}-${randomUUID()}`,
      args: [{ userId }],
      workflowExecutionTimeout: '30 seconds',
      staticSummary: `Read self-service user · user ${userId}`,
    }),
  );
  return awaitOutcome<SelfServiceUserState>(client, handle, READ_BUDGET_MS);
}

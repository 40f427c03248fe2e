import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  cancelPhoneChangeUpdate,
  READ_CONTACT_INFO_WORKFLOW,
  UPDATE_USER_PHONE_WORKFLOW,
  type ContactInfoRead,
  type PhoneChangeCancelled,
} from '../messages/contact-change';
import { PROCESS_ID_PATTERN } from '../messages/process';
import { ProcessType } from '../messages/search-attributes';

/** How long a contact-info read may take before the caller is told Temporal did not answer. */
const READ_BUDGET_MS = 15_000;

/** The customer's masked contacts, read by a short ReadContactInfo run (the API holds no core-banking client). */
export async function readContactInfo(
  client: Client,
  taskQueue: string,
  customerId: string,
): Promise<ContactInfoRead> {
  const read = await client.withDeadline(Date.now() + READ_BUDGET_MS, () =>
    client.workflow.execute(READ_CONTACT_INFO_WORKFLOW, {
      taskQueue,
      workflowId: `contact-info-read-${randomUUID()}`,
      args: [{ customerId }],
      workflowExecutionTimeout: '20 seconds',
      typedSearchAttributes: [{ key: ProcessType, value: 'READ_CONTACT_INFO' }],
      staticSummary: `Read contact info · customer ${customerId}`,
    }),
  );
  return read as ContactInfoRead;
}

/**
 * A phone change's cancel: `not-found` for a process that is not a phone change or that
 * `mayCancel` (the caller's own check of the starter memo) refuses, so whoever may not
 * cancel it learns nothing; `not-cancellable` once it left its cooling-off window.
 */
export type PhoneChangeCancel =
  { kind: 'cancelled'; result: PhoneChangeCancelled } | { kind: 'not-found' } | { kind: 'not-cancellable' };

export async function cancelPhoneChange(
  client: Client,
  processId: string,
  o: { mayCancel: (memo: Record<string, unknown> | undefined) => boolean; cancelledBy: string },
): Promise<PhoneChangeCancel> {
  if (!processId.startsWith('phone-') || !PROCESS_ID_PATTERN.test(processId)) return { kind: 'not-found' };
  const handle = client.workflow.getHandle(processId);
  let desc;
  try {
    desc = await handle.describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { kind: 'not-found' };
    throw e;
  }
  if (desc.type !== UPDATE_USER_PHONE_WORKFLOW || !o.mayCancel(desc.memo)) return { kind: 'not-found' };
  if (desc.status.name !== 'RUNNING') return { kind: 'not-cancellable' };
  try {
    const result = await handle.executeUpdate(cancelPhoneChangeUpdate, {
      args: [{ cancelledBy: o.cancelledBy }],
    });
    return { kind: 'cancelled', result };
  } catch (e) {
    // Refused by the validator, or the run ended meanwhile.
    if (e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError)
      return { kind: 'not-cancellable' };
    throw e;
  }
}

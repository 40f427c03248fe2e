import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  firstLoginSignal,
  passwordExpiryProcessId,
  type PasswordExpiryResult,
} from '../messages/password-expiry';
import { withStartBudget } from './process-start';

/**
 * Tells the user's FirstTimePasswordExpiry of a reported first login: true when its timer
 * ended by it within `waitMs` (an unconfirmed report leaves it running). No timer running
 * (never armed, or ended meanwhile) is nothing to stop: false.
 */
export async function reportFirstLogin(
  client: Client,
  userId: string,
  o: { reportedBy: string; waitMs: number },
): Promise<boolean> {
  const handle = client.workflow.getHandle(passwordExpiryProcessId(userId));
  const signalled = await withStartBudget(client, async () => {
    try {
      const desc = await handle.describe();
      if (desc.status.name !== 'RUNNING') return false;
      await handle.signal(firstLoginSignal, { reportedBy: o.reportedBy });
      return true;
    } catch (e) {
      // No timer (never armed, or it ended meanwhile): nothing to stop.
      if (e instanceof WorkflowNotFoundError) return false;
      throw e;
    }
  });
  return signalled && (await stoppedWithin(handle.result() as Promise<PasswordExpiryResult>, o.waitMs));
}

/** Whether the timer ended by this first login within `ms` (an unconfirmed report leaves it running). */
async function stoppedWithin(result: Promise<PasswordExpiryResult>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    const outcome = await Promise.race([result.catch(() => null), waited]);
    return outcome?.outcome === 'FIRST_LOGIN';
  } finally {
    clearTimeout(timer);
  }
}

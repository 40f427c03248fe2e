import type { Client } from '@temporalio/client';
import { causeChain, findCause } from '../lib/failure-chain';

/** gRPC UNAVAILABLE / connection refused anywhere in the cause chain. */
export function isTemporalUnavailable(err: unknown): boolean {
  return !!findCause(err, (e) => {
    const { code, message } = e as { code?: number; message?: string };
    if (code === 14) return true; // UNAVAILABLE
    if (isDeadline(e)) return true;
    return (
      typeof message === 'string' &&
      /ECONNREFUSED|Connection refused|failed to connect|transport error/i.test(message)
    );
  });
}

/**
 * DEADLINE_EXCEEDED, or an Update (e.g. an MFA create's update-with-start) not answered
 * within its deadline, as while a restarted server catches up.
 */
function isDeadline(e: object): boolean {
  const { code, name } = e as { code?: number; name?: string };
  return code === 4 || name === 'WorkflowUpdateRPCTimeoutOrCancelledError';
}

/**
 * The engine did not answer within the deadline (DEADLINE_EXCEEDED, an Update's RPC
 * timeout): unlike a refused connection, the call may have taken effect.
 */
export function isOutcomeUnknown(err: unknown): boolean {
  return !!findCause(err, isDeadline);
}

/** Whether the engine answers (its system info) within `budgetMs`. */
export async function temporalAnswers(client: Client, budgetMs: number): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + budgetMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/**
 * The search attribute a refused call names as not registered in the namespace
 * (INVALID_ARGUMENT "no mapping defined for search attribute X"), as when one was removed
 * after /readyz checked them.
 */
export function missingSearchAttribute(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    const { code, message } = e as { code?: number; message?: string };
    if (code !== 3 || typeof message !== 'string') continue;
    const m = /no mapping defined for search attribute (\w+)/i.exec(message);
    if (m) return m[1];
  }
  return undefined;
}

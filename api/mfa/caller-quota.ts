import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Config } from '../../config';
import { callerQuotaPolicy } from '../../config/mfa-policy';
import { hmacHex } from '../../lib/server-key';
import { MFA_QUOTA_WORKFLOW, reserveSendUpdate, type DestinationQuotaInput } from '../../messages/mfa-quota';
import { businessFailureIn, businessProblem, failureExtensions } from '../http/business-status';

/** Who asks for a pre-login code: the token subject and, behind a trusted proxy, the client IP. */
export function preloginCaller(req: Request, config: Config): string {
  const subject = req.principal?.subject ?? 'anonymous';
  return config.TRUST_PROXY === false ? subject : `${subject}|${req.ip ?? ''}`;
}

/** The quota workflow of one of the caller's shards: the caller only as a keyed digest (no IP in ids). */
export const callerQuotaId = (serverKey: Buffer, caller: string, shard: number) =>
  `mfa-caller-${hmacHex(serverKey, `mfa-caller:${caller}`).slice(0, 32)}-${shard}`;

/**
 * Spends one pre-login send of the caller's budget, on a shard picked by `ref` (spread like
 * the challenge ids; a retried create with the same ref counts once), before anything is
 * started or sent; 429 CALLER_RATE_LIMITED with Retry-After when that shard is spent. The
 * shard is the same rolling-window quota entity the destinations use.
 */
export async function reserveCallerSend(
  deps: { client: Client; config: Config; serverKey: Buffer },
  caller: string,
  ref: string,
): Promise<void> {
  const { client, config } = deps;
  const shard =
    parseInt(hmacHex(deps.serverKey, `mfa-caller-shard:${ref}`).slice(0, 8), 16) %
    config.MFA_PRELOGIN_CALLER_SHARDS;
  const startWorkflowOperation = new WithStartWorkflowOperation(MFA_QUOTA_WORKFLOW, {
    workflowId: callerQuotaId(deps.serverKey, caller, shard),
    taskQueue: config.entityTaskQueue,
    args: [{ sends: [] } satisfies DestinationQuotaInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'MFA pre-login caller quota',
  });
  try {
    await client.workflow.executeUpdateWithStart(reserveSendUpdate, {
      args: [{ ref, policy: callerQuotaPolicy(config) }],
      updateId: ref,
      startWorkflowOperation,
    });
  } catch (e) {
    const cause = e instanceof WorkflowUpdateFailedError ? businessFailureIn(e) : undefined;
    if (cause?.type !== 'DESTINATION_RATE_LIMITED') throw e;
    const { retryAfterSeconds = 60 } = failureExtensions(cause) as { retryAfterSeconds?: number };
    throw businessProblem(
      'CALLER_RATE_LIMITED',
      `This caller asked for too many pre-login codes; retry in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    );
  }
}

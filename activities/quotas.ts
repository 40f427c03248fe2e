import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { reserveSend } from '../clients/quota';
import type { Refusal } from '../clients/refusal';
import { quotaWorkflowId, type DestinationQuotaPolicy } from '../messages/mfa-quota';
import { identityAttemptsWorkflowId } from '../messages/registration';
import { asActivityFailure } from './failures';
import type { ReservedSend, ReserveSendInput } from './quota-types';
import { doneAt } from './done-at';

export interface QuotaDeps {
  /** entityTaskQueue: where quota entities live (config entityTaskQueue); taskQueue without it. */
  temporal: { client: Client; taskQueue: string; entityTaskQueue?: string };
  destinationQuota: DestinationQuotaPolicy;
}

/** Budgets kept by quota entity workflows (clients/quota.ts), spent before a send or a check. */
export function createQuotaActivities(deps: QuotaDeps) {
  const { client, taskQueue, entityTaskQueue } = deps.temporal;
  const home = entityTaskQueue ?? taskQueue;

  return {
    // A destination over its quota is skipped, not the challenge refused: a user's email
    // still gets the code while the phone cools down. Only when all are over is it refused.
    /** Over-quota destinations are skipped; DESTINATION_RATE_LIMITED when every one is. */
    reserveDestinationSend: async ({
      ref,
      destinationDigests,
      budget = 'USER',
    }: ReserveSendInput): Promise<ReservedSend> => {
      const refusals: Refusal[] = [];
      const overQuota: string[] = [];
      for (const digest of destinationDigests) {
        const verdict = await reserveSend(client, {
          workflowId: quotaWorkflowId(digest, budget),
          taskQueue: home,
          ref,
          policy: deps.destinationQuota,
        });
        if (!verdict.reserved) {
          refusals.push(verdict.refusal);
          overQuota.push(digest);
        }
      }
      if (refusals.length > 0 && refusals.length === destinationDigests.length) {
        throw asActivityFailure(refusals[0]);
      }
      return doneAt({ reserved: destinationDigests.length - overQuota.length, overQuota });
    },

    // Counted before the identity is compared, whatever the outcome: the answer to a refused
    // attempt says nothing about the identity, and a retried reservation counts once (its ref).
    /** IDENTITY_ATTEMPTS_EXCEEDED (retryAfterSeconds) when the identity's budget is spent. */
    async reserveIdentityAttempt({
      identityDigest,
      ref,
      policy,
    }: {
      identityDigest: string;
      ref: string;
      policy: DestinationQuotaPolicy;
    }): Promise<{ reserved: true }> {
      const verdict = await reserveSend(client, {
        workflowId: identityAttemptsWorkflowId(identityDigest),
        taskQueue: home,
        ref,
        policy,
      });
      if (verdict.reserved) return { reserved: true };
      throw ApplicationFailure.create({
        type: 'IDENTITY_ATTEMPTS_EXCEEDED',
        message: 'Too many identity checks for this identity: retry later.',
        nonRetryable: true,
        details: [{ retryAfterSeconds: verdict.retryAfterSeconds }],
      });
    },
  };
}

export type QuotaActivities = ReturnType<typeof createQuotaActivities>;

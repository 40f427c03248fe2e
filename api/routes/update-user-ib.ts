import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import {
  phoneChangeProcessId,
  UPDATE_USER_PHONE_WORKFLOW,
  type UpdateUserPhoneInput,
} from '../../messages/contact-change';
import { CustomerId, ProcessType } from '../../messages/search-attributes';
import type { TokenVerifier } from '../auth';
import { assertUsableFor, provenChallenge } from '../contact-change/mfa-proof';
import { requestDigest, requestKey } from '../idempotency';
import { requireScopes } from '../middleware/auth';
import { validateBody, validated } from '../middleware/validate';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { starterMemo } from '../processes/readers';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError } from '../problem';
import { updateUserIbRequest, type UpdateUserIbRequest } from '../schemas/contact-change';

export interface UpdateUserIbDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

/**
 * POST /update-user-ib: the customer's new phone, proven by a VERIFIED UPDATE_PHONE
 * challenge sent to it. One change per user at a time; the same key replays.
 */
export function updateUserIbRouter(deps: UpdateUserIbDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  router.post(
    '/update-user-ib',
    requireScopes(deps.verifier, 'ib-users:write'),
    validateBody(updateUserIbRequest),
    async (req, res) => {
      const body = validated<UpdateUserIbRequest>(req);
      const requestId = requestKey(req, body.requestId);
      const { mfa } = body;
      if (!mfa) {
        throw new ProblemError(
          403,
          'MFA_REQUIRED',
          'MFA required',
          'A verified UPDATE_PHONE challenge (mfa) is required.',
        );
      }
      const started = await withStartBudget(client, async () => {
        const challenge = await provenChallenge(client, serverKey, mfa);
        // The challenge is bound to its user: that names the process for customerId requests too.
        const userId = body.userId ?? challenge.userId;
        if (!userId)
          throw new ProblemError(403, 'MFA_NOT_VERIFIED', 'MFA not verified', 'The challenge names no user.');
        const processId = phoneChangeProcessId(userId);
        const input: UpdateUserPhoneInput = {
          requestId,
          userId,
          customerId: body.customerId,
          newPhone: body.newPhone,
          mfaServiceKey: mfa.serviceKey,
          linkedSystems: config.LINKED_SYSTEMS.map((s) => s.name),
        };
        return startIdempotent(client, {
          workflowType: UPDATE_USER_PHONE_WORKFLOW,
          workflowId: processId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          requestId,
          digest: requestDigest(serverKey, { ...body, requestId: undefined }),
          starter: starterMemo(req.principal),
          reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          searchAttributes: [
            { key: ProcessType, value: 'UPDATE_USER_PHONE' },
            ...(body.customerId ? [{ key: CustomerId, value: body.customerId }] : []),
          ],
          staticSummary: `Update phone · user ${userId}`,
          staticDetails: `Request ${requestId}. Steps: look up → consume MFA proof → core banking → linked systems → notices.`,
          inFlight: () =>
            new ProblemError(
              409,
              'UPDATE_IN_PROGRESS',
              'Update in progress',
              'A phone change for this user is in flight.',
              {
                processId,
              },
            ),
          beforeStart: async () => assertUsableFor(challenge, userId),
        });
      });
      await respondWithOutcome(req, res, deps, started);
    },
  );
  return router;
}

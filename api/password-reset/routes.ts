import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import {
  passwordResetProcessId,
  RESET_PASSWORD_WORKFLOW,
  type ResetUserPasswordInput,
} from '../../messages/password-reset';
import { ProcessType } from '../../messages/search-attributes';
import type { TokenVerifier } from '../http/auth';
import { assertProofFor, mfaRequired, provenChallenge } from '../mfa/proofs';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { validateBody, validated } from '../http/validate';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { starterMemo } from '../processes/readers';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError } from '../http/problem';
import { resetUserIbRequest, type ResetUserIbRequest } from './schema';

export interface PasswordResetDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

/**
 * POST /reset-user-ib: a new first-time password for a user who proved a factor on file
 * with a VERIFIED RESET_PASSWORD challenge. A challenge that is not that (unverified,
 * consumed, another purpose or user, wrong securityKey) is 403 and nothing starts.
 */
export function passwordResetRouter(deps: PasswordResetDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  router.post(
    '/reset-user-ib',
    requireScopes(deps.verifier, 'ib-users:write'),
    validateBody(resetUserIbRequest),
    async (req, res) => {
      const body = validated<ResetUserIbRequest>(req);
      const requestId = requestKey(req, body.requestId);
      const { mfa } = body;
      if (!mfa) throw mfaRequired('RESET_PASSWORD');
      const processId = passwordResetProcessId(body.userId);
      const input: ResetUserPasswordInput = {
        requestId,
        userId: body.userId,
        mfaServiceKey: mfa.serviceKey,
        credentialDelivery: body.credentialDelivery,
        firstTimePasswordTtlMinutes: config.FIRST_TIME_PASSWORD_TTL_MINUTES,
      };
      const started = await withStartBudget(client, async () => {
        // Read before anything starts: a wrong securityKey is refused even for a replay.
        const challenge = await provenChallenge(client, serverKey, mfa);
        return startIdempotent(client, {
          workflowType: RESET_PASSWORD_WORKFLOW,
          workflowId: processId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          requestId,
          digest: requestDigest(serverKey, { ...body, requestId: undefined }),
          starter: starterMemo(req.principal),
          reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          searchAttributes: [{ key: ProcessType, value: 'RESET_PASSWORD' }],
          staticSummary: `Reset password · user ${body.userId}`,
          staticDetails: `Request ${requestId}. Steps: look up → consume the RESET_PASSWORD proof → restart the expiry timer → new first-time password (${body.credentialDelivery}) → notices.`,
          inFlight: () =>
            new ProblemError(
              409,
              'CREDENTIALS_CHANGE_IN_PROGRESS',
              'Change in progress',
              'A password reset for this user is in flight.',
              { processId },
            ),
          beforeStart: async () => assertProofFor(challenge, 'RESET_PASSWORD', body.userId),
        });
      });
      await respondWithOutcome(req, res, deps, started);
    },
  );
  return router;
}

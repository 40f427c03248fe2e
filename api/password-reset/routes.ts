import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import {
  passwordResetProcessId,
  RESET_PASSWORD_WORKFLOW,
  type ResetUserPasswordInput,
} from '../../messages/password-reset';
import type { TokenVerifier } from '../http/auth';
import { assertProofFor, mfaRequired, provenChallenge } from '../mfa/proofs';
import { requestDigest, requestKey } from '../http/idempotency';
import { startRoute } from '../processes/start-route';
import { mount } from '../http/route';
import { routes } from '../routes';
import { startUserProcess } from '../processes/user-process';
import { starterMemo } from '../processes/readers';
import type { ResetUserIbRequest } from './schema';

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
  mount(
    router,
    routes.resetUserIb,
    deps,
    startRoute(deps, {
      start: async (req, body: ResetUserIbRequest) => {
        const requestId = requestKey(req, body.requestId);
        const { mfa } = body;
        if (!mfa) throw mfaRequired('RESET_PASSWORD');
        const input: ResetUserPasswordInput = {
          requestId,
          userId: body.userId,
          mfaServiceKey: mfa.serviceKey,
          credentialDelivery: body.credentialDelivery,
          firstTimePasswordTtlMinutes: config.FIRST_TIME_PASSWORD_TTL_MINUTES,
        };
        // Read before anything starts: a wrong securityKey is refused even for a replay.
        const challenge = await provenChallenge(client, serverKey, mfa);
        return startUserProcess(client, {
          workflowType: RESET_PASSWORD_WORKFLOW,
          processId: passwordResetProcessId(body.userId),
          processType: 'RESET_PASSWORD',
          input,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          digest: requestDigest(serverKey, { ...body, requestId: undefined }),
          starter: starterMemo(req.principal),
          summary: `Reset password · user ${body.userId}`,
          details: `Request ${requestId}. Steps: look up → consume the RESET_PASSWORD proof → restart the expiry timer → new first-time password (${body.credentialDelivery}) → notices.`,
          inFlight: 'A password reset',
          beforeStart: async () => assertProofFor(challenge, 'RESET_PASSWORD', body.userId),
        });
      },
    }),
  );
  return router;
}

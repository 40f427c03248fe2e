import { Router } from 'express';
import { startRoute } from '../processes/start-route';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { prefersMilestone } from '../http/wait-budget';
import { startOnboarding } from './start';
import { starterMemo } from '../processes/readers';
import { businessProblem } from '../http/business-status';
import { currentDisclosures } from '../../config/disclosures';
import { disclosureVerdict } from '../../rules/disclosures';
import { openUserIbRequest, type OpenUserIbRequest } from './schema';

export interface OpenUserIbDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

export function openUserIbRouter(deps: OpenUserIbDeps): Router {
  const { client, config } = deps;
  const router = Router();
  router.post(
    '/open-user-ib',
    ...startRoute(deps, {
      auth: requireScopes(deps.verifier, 'ib-users:write'),
      schema: openUserIbRequest,
      start: (req, body: OpenUserIbRequest) => {
        const requestId = requestKey(req, body.requestId);
        // The one disclosures rule; the workflow applies it again to its own input.
        const disclosures = currentDisclosures(config);
        const verdict = disclosureVerdict(disclosures, body.acceptedDisclosures);
        if (!verdict.accepted) throw businessProblem(verdict.code, verdict.message, verdict.extensions);
        return startOnboarding(
          client,
          config.TEMPORAL_TASK_QUEUE,
          {
            ...body,
            requestId,
            authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS,
            firstTimePasswordTtlMinutes: config.FIRST_TIME_PASSWORD_TTL_MINUTES,
            disclosures,
          },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
          starterMemo(req.principal),
          prefersMilestone(req, 'user-created'),
        );
      },
    }),
  );
  return router;
}

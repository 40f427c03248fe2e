import { Router } from 'express';
import { startRoute } from '../processes/start-route';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { startOnboarding } from './start';
import { starterMemo } from '../processes/readers';
import { ProblemError } from '../http/problem';
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
        const missing = config.REQUIRED_DISCLOSURES.filter((d) => !body.acceptedDisclosures.includes(d));
        if (missing.length) {
          throw new ProblemError(
            422,
            'DISCLOSURES_NOT_ACCEPTED',
            'Required disclosures not accepted',
            'The customer must accept every required disclosure.',
            { required: config.REQUIRED_DISCLOSURES, missing },
          );
        }
        return startOnboarding(
          client,
          config.TEMPORAL_TASK_QUEUE,
          { ...body, requestId, authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
          starterMemo(req.principal),
        );
      },
    }),
  );
  return router;
}

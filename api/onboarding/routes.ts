import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { validateBody, validated } from '../http/validate';
import { startOnboarding } from './start';
import { starterMemo } from '../processes/readers';
import { withStartBudget } from '../processes/idempotent-start';
import { respondWithOutcome } from '../processes/respond';
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
    requireScopes(deps.verifier, 'ib-users:write'),
    validateBody(openUserIbRequest),
    async (req, res) => {
      const body = validated<OpenUserIbRequest>(req);
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
      const started = await withStartBudget(client, () =>
        startOnboarding(
          client,
          config.TEMPORAL_TASK_QUEUE,
          { ...body, requestId, authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
          starterMemo(req.principal),
        ),
      );
      await respondWithOutcome(req, res, deps, started);
    },
  );
  return router;
}

import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../auth';
import { requestDigest, requestKey } from '../idempotency';
import { requireScopes } from '../middleware/auth';
import { validateBody, validated } from '../middleware/validate';
import { startOnboarding } from '../onboarding/start';
import { starterMemo } from '../processes/readers';
import { withStartBudget } from '../processes/idempotent-start';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError } from '../problem';
import { openUserIbRequest, type OpenUserIbRequest } from '../schemas/open-user-ib';

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
          {
            ...body,
            requestId,
            authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS,
            firstTimePasswordTtlMinutes: config.FIRST_TIME_PASSWORD_TTL_MINUTES,
          },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
          starterMemo(req.principal),
        ),
      );
      await respondWithOutcome(req, res, deps, started);
    },
  );
  return router;
}

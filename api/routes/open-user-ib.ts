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
import { currentDisclosures } from '../../config/disclosures';
import { disclosureVerdict } from '../../workflows/onboarding/disclosures';

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
      // The one disclosures rule; the workflow applies it again to its own input.
      const disclosures = currentDisclosures(config);
      const verdict = disclosureVerdict(disclosures, body.acceptedDisclosures);
      if (!verdict.accepted) {
        throw new ProblemError(
          422,
          verdict.code,
          'Required disclosures not accepted',
          verdict.message,
          verdict.extensions,
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
            disclosures,
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

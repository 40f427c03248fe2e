import { Router, type Response } from 'express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../../config';
import type { OnboardIbUserResult } from '../../messages/onboarding';
import type { TokenVerifier } from '../auth';
import { requestDigest, requestKey } from '../idempotency';
import { requireScopes } from '../middleware/auth';
import { validateBody, validated } from '../middleware/validate';
import { startOnboarding } from '../onboarding/start';
import { awaitOutcome } from '../processes/outcome';
import { ProblemError } from '../problem';
import { openUserIbRequest, type OpenUserIbRequest } from '../schemas/open-user-ib';
import { waitBudgetMs } from '../wait-budget';

const START_BUDGET_MS = 5_000;

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
      // Bounded: with Temporal down the caller gets a prompt 503, not a hang.
      const { handle, replayed } = await client.withDeadline(Date.now() + START_BUDGET_MS, () =>
        startOnboarding(
          client,
          config.TEMPORAL_TASK_QUEUE,
          { ...body, requestId, authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
        ),
      );
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      await respondWithOutcome(
        res,
        client,
        handle,
        waitBudgetMs(req, config.API_WAIT_BUDGET_MS, config.API_MAX_WAIT_SECONDS),
      );
    },
  );
  return router;
}

/** 201 with the result within the wait budget, else 202 pointing at the process. */
async function respondWithOutcome(res: Response, client: Client, handle: WorkflowHandle, waitMs: number) {
  const outcome = await awaitOutcome<OnboardIbUserResult>(client, handle, waitMs);
  if (outcome.kind === 'failed') throw outcome.problem;
  if (outcome.kind === 'completed') return res.status(201).json(outcome.result);
  const statusUrl = `/processes/${encodeURIComponent(handle.workflowId)}`;
  res.status(202).location(statusUrl).setHeader('Retry-After', '2');
  res.json({ processId: handle.workflowId, status: 'RUNNING', statusUrl });
}

import { Router } from 'express';
import { startRoute } from '../processes/start-route';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { mount } from '../http/route';
import { routes } from '../routes';
import { prefersMilestone } from '../http/wait-budget';
import { startOnboarding } from './start';
import { starterMemo } from '../processes/readers';
import { businessProblem } from '../http/business-status';
import { currentDisclosures } from '../../config/disclosures';
import { disclosureVerdict } from '../../rules/disclosures';
import type { OpenUserIbRequest } from './schema';
import { assertPhoneProof, provenChallenge } from '../mfa/proofs';

export interface OpenUserIbDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

export function openUserIbRouter(deps: OpenUserIbDeps): Router {
  const { client, config } = deps;
  const router = Router();
  mount(
    router,
    routes.openUserIb,
    deps,
    startRoute(deps, {
      start: (req, body: OpenUserIbRequest) => {
        const requestId = requestKey(req, body.requestId);
        const { phoneProof, ...request } = body;
        if (!phoneProof && config.ONBOARDING_REQUIRES_PHONE_PROOF) {
          throw businessProblem(
            'MFA_REQUIRED',
            'A verified ONBOARDING challenge sent to the mobile on file (phoneProof) is required.',
          );
        }
        // The one disclosures rule; the workflow applies it again to its own input.
        const disclosures = currentDisclosures(config);
        const verdict = disclosureVerdict(disclosures, body.acceptedDisclosures);
        if (!verdict.accepted) throw businessProblem(verdict.code, verdict.message, verdict.extensions);
        return startOnboarding(
          client,
          config.TEMPORAL_TASK_QUEUE,
          {
            ...request,
            requestId,
            authorisationTimeoutHours: config.MAKER_CHECKER_TIMEOUT_HOURS,
            firstTimePasswordTtlMinutes: config.FIRST_TIME_PASSWORD_TTL_MINUTES,
            disclosures,
            // The serviceKey only: the securityKey is checked here and never enters the run.
            ...(phoneProof && { phoneProofServiceKey: phoneProof.serviceKey }),
          },
          requestDigest(deps.serverKey, { ...body, requestId: undefined }),
          starterMemo(req.principal),
          prefersMilestone(req, 'user-created'),
          phoneProof &&
            (async () => assertPhoneProof(await provenChallenge(client, deps.serverKey, phoneProof))),
        );
      },
    }),
  );
  return router;
}

import { Router } from 'express';
import { startRoute } from '../processes/start-route';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { UpdateUserPhoneInput } from '../../messages/contact-change';
import type { TokenVerifier } from '../http/auth';
import { assertStepUpFor, assertUsableFor, provenChallenge, provenStepUp } from '../mfa/proofs';
import { requestDigest, requestKey } from '../http/idempotency';
import { mount } from '../http/route';
import { routes } from '../routes';
import { mayCancel, starterMemo } from '../processes/readers';
import { problems } from '../http/problem';
import { businessProblem } from '../http/business-status';
import type { UpdateUserIbRequest } from './schema';
import { startPhoneChange } from './start';
import { cancelPhoneChange } from '../../clients/contact-change';

export interface UpdateUserIbDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

/**
 * POST /update-user-ib: the customer's new phone, proven by a VERIFIED UPDATE_PHONE
 * challenge sent to it and a VERIFIED STEP_UP challenge sent to a factor on file (a new
 * number is a new authenticator). One change per user at a time; the same key replays.
 * POST /update-user-ib/{processId}/cancel stops it in its cooling-off window.
 */
export function updateUserIbRouter(deps: UpdateUserIbDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  mount(
    router,
    routes.updateUserIb,
    deps,
    startRoute(deps, {
      start: async (req, body: UpdateUserIbRequest) => {
        const requestId = requestKey(req, body.requestId);
        const { mfa, stepUp } = body;
        if (!mfa) {
          throw businessProblem('MFA_REQUIRED', 'A verified UPDATE_PHONE challenge (mfa) is required.');
        }
        if (!stepUp) {
          throw businessProblem(
            'STEP_UP_REQUIRED',
            'A verified STEP_UP challenge (stepUp) sent to the phone or email on file is required.',
          );
        }
        const challenge = await provenChallenge(client, serverKey, mfa);
        const stepUpChallenge = await provenStepUp(client, serverKey, stepUp);
        // The challenge is bound to its user: that names the process for customerId requests too.
        const userId = body.userId ?? challenge.userId;
        if (!userId) throw businessProblem('MFA_NOT_VERIFIED', 'The challenge names no user.');
        const input: UpdateUserPhoneInput = {
          requestId,
          userId,
          customerId: body.customerId,
          newPhone: body.newPhone,
          mfaServiceKey: mfa.serviceKey,
          stepUpServiceKey: stepUp.serviceKey,
          coolingOffMinutes: config.PHONE_CHANGE_COOLING_OFF_MINUTES,
          linkedSystems: config.LINKED_SYSTEMS.map((s) => s.name),
        };
        return startPhoneChange(client, userId, input, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          digest: requestDigest(serverKey, { ...body, requestId: undefined }),
          starter: starterMemo(req.principal),
          beforeStart: async () => {
            assertUsableFor(challenge, userId);
            assertStepUpFor(stepUpChallenge, userId);
          },
        });
      },
    }),
  );
  mount(router, routes.cancelPhoneChange, deps, async (req, res) => {
    const processId = String(req.params.processId);
    // Whoever may not cancel it learns nothing: the same 404 as for a missing process.
    const notFound = problems.notFound(`Process ${processId}`);
    const outcome = await cancelPhoneChange(client, processId, {
      mayCancel: (memo) => mayCancel(req.principal!, memo),
      cancelledBy: req.principal!.subject,
    });
    if (outcome.kind === 'not-found') throw notFound;
    if (outcome.kind === 'not-cancellable')
      throw businessProblem(
        'NOT_CANCELLABLE',
        'The phone change is not in its cooling-off window (already applied, ended, or none configured).',
        { processId },
      );
    res.json(outcome.result);
  });
  return router;
}

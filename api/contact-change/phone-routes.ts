import { Router } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import {
  cancelPhoneChangeUpdate,
  phoneChangeProcessId,
  UPDATE_USER_PHONE_WORKFLOW,
  type UpdateUserPhoneInput,
} from '../../messages/contact-change';
import { PROCESS_ID_PATTERN } from '../../messages/process';
import { CustomerId, ProcessType } from '../../messages/search-attributes';
import type { TokenVerifier } from '../http/auth';
import { assertStepUpFor, assertUsableFor, provenChallenge, provenStepUp } from './mfa-proof';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireAnyScope, requireScopes } from '../http/scopes';
import { validateBody, validated } from '../http/validate';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { mayCancel, starterMemo } from '../processes/readers';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError, problems } from '../http/problem';
import { updateUserIbRequest, type UpdateUserIbRequest } from './schema';

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
  router.post(
    '/update-user-ib',
    requireScopes(deps.verifier, 'ib-users:write'),
    validateBody(updateUserIbRequest),
    async (req, res) => {
      const body = validated<UpdateUserIbRequest>(req);
      const requestId = requestKey(req, body.requestId);
      const { mfa, stepUp } = body;
      if (!mfa) {
        throw new ProblemError(
          403,
          'MFA_REQUIRED',
          'MFA required',
          'A verified UPDATE_PHONE challenge (mfa) is required.',
        );
      }
      if (!stepUp) {
        throw new ProblemError(
          403,
          'STEP_UP_REQUIRED',
          'Step-up required',
          'A verified STEP_UP challenge (stepUp) sent to the phone or email on file is required.',
        );
      }
      const started = await withStartBudget(client, async () => {
        const challenge = await provenChallenge(client, serverKey, mfa);
        const stepUpChallenge = await provenStepUp(client, serverKey, stepUp);
        // The challenge is bound to its user: that names the process for customerId requests too.
        const userId = body.userId ?? challenge.userId;
        if (!userId)
          throw new ProblemError(403, 'MFA_NOT_VERIFIED', 'MFA not verified', 'The challenge names no user.');
        const processId = phoneChangeProcessId(userId);
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
        return startIdempotent(client, {
          workflowType: UPDATE_USER_PHONE_WORKFLOW,
          workflowId: processId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          requestId,
          digest: requestDigest(serverKey, { ...body, requestId: undefined }),
          starter: starterMemo(req.principal),
          reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          searchAttributes: [
            { key: ProcessType, value: 'UPDATE_USER_PHONE' },
            ...(body.customerId ? [{ key: CustomerId, value: body.customerId }] : []),
          ],
          staticSummary: `Update phone · user ${userId}`,
          staticDetails: `Request ${requestId}. Steps: look up → consume MFA and step-up proofs → (notify, cooling-off) → core banking → linked systems → notices.`,
          inFlight: () =>
            new ProblemError(
              409,
              'UPDATE_IN_PROGRESS',
              'Update in progress',
              'A phone change for this user is in flight.',
              {
                processId,
              },
            ),
          beforeStart: async () => {
            assertUsableFor(challenge, userId);
            assertStepUpFor(stepUpChallenge, userId);
          },
        });
      });
      await respondWithOutcome(req, res, deps, started);
    },
  );
  router.post(
    '/update-user-ib/:processId/cancel',
    requireAnyScope(deps.verifier, ['ib-users:write', 'institution-users:write']),
    async (req, res) => {
      const processId = String(req.params.processId);
      // Whoever may not cancel it learns nothing: the same 404 as for a missing process.
      const notFound = problems.notFound(`Process ${processId}`);
      if (!processId.startsWith('phone-') || !PROCESS_ID_PATTERN.test(processId)) throw notFound;
      const handle = client.workflow.getHandle(processId);
      const desc = await handle.describe().catch((e: unknown) => {
        throw e instanceof WorkflowNotFoundError ? notFound : e;
      });
      if (desc.type !== UPDATE_USER_PHONE_WORKFLOW || !mayCancel(req.principal!, desc.memo)) throw notFound;
      const notCancellable = new ProblemError(
        409,
        'NOT_CANCELLABLE',
        'Not cancellable',
        'The phone change is not in its cooling-off window (already applied, ended, or none configured).',
        { processId },
      );
      if (desc.status.name !== 'RUNNING') throw notCancellable;
      try {
        const cancelled = await handle.executeUpdate(cancelPhoneChangeUpdate, {
          args: [{ cancelledBy: req.principal!.subject }],
        });
        res.json(cancelled);
      } catch (e) {
        // Refused by the validator, or the run ended meanwhile.
        if (e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError)
          throw notCancellable;
        throw e;
      }
    },
  );
  return router;
}

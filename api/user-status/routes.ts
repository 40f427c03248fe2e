import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import { ProcessType } from '../../messages/search-attributes';
import {
  USER_STATUS_SCOPES,
  USER_STATUS_WORKFLOW,
  userStatusProcessId,
  type ChangeUserStatusInput,
  type UserStatusAction,
} from '../../messages/user-status';
import type { Scope, TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireAnyScope } from '../http/scopes';
import { validateBody, validated } from '../http/validate';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { starterMemo } from '../processes/readers';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError, problems } from '../http/problem';
import { userId as userIdSchema } from '../contact-change/schema';
import { userStatusRequest, type UserStatusRequest } from './schema';

export interface UserStatusDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

const PATHS: Record<UserStatusAction, string> = { LOCK: 'lock', UNLOCK: 'unlock', CLOSE: 'close' };

/**
 * POST /users/{userId}/lock|unlock|close {reason}: lock with ib-users:write or
 * institution-users:write; unlock and close with institution-users:write only.
 */
export function userStatusRouter(deps: UserStatusDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  for (const action of Object.keys(PATHS) as UserStatusAction[]) {
    router.post(
      `/users/:userId/${PATHS[action]}`,
      requireAnyScope(deps.verifier, USER_STATUS_SCOPES[action] as Scope[]),
      validateBody(userStatusRequest),
      async (req, res) => {
        const parsed = userIdSchema.safeParse(req.params.userId);
        if (!parsed.success) throw problems.validation([{ path: 'userId', message: 'an IB/MB user id' }]);
        const userId = parsed.data;
        const body = validated<UserStatusRequest>(req);
        const requestId = requestKey(req, body.requestId);
        const processId = userStatusProcessId(userId);
        const input: ChangeUserStatusInput = {
          requestId,
          userId,
          action,
          reason: body.reason,
          requestedBy: req.principal!.subject,
          linkedSystems: config.LINKED_SYSTEMS.map((s) => s.name),
        };
        const started = await withStartBudget(client, () =>
          startIdempotent(client, {
            workflowType: USER_STATUS_WORKFLOW,
            workflowId: processId,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            args: [input],
            requestId,
            // The action is part of the request: the same key for a lock and a close is a reuse.
            digest: requestDigest(serverKey, { ...body, requestId: undefined, action, userId }),
            starter: starterMemo(req.principal),
            reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            searchAttributes: [{ key: ProcessType, value: 'CHANGE_USER_STATUS' }],
            staticSummary: `${action} · user ${userId}`,
            staticDetails: `Request ${requestId} by ${req.principal!.subject}. Steps: look up → core banking → linked systems and notices.`,
            inFlight: () =>
              new ProblemError(
                409,
                'CREDENTIALS_CHANGE_IN_PROGRESS',
                'Change in progress',
                'A status change for this user is in flight.',
                { processId },
              ),
          }),
        );
        await respondWithOutcome(req, res, deps, started, 200);
      },
    );
  }
  return router;
}

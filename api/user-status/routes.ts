import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import {
  USER_STATUS_WORKFLOW,
  userStatusProcessId,
  type ChangeUserStatusInput,
  type UserStatusAction,
} from '../../messages/user-status';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { mount } from '../http/route';
import { routes } from '../routes';
import { startRoute } from '../processes/start-route';
import { startUserProcess, userIdParam } from '../processes/user-process';
import { starterMemo } from '../processes/readers';
import type { UserStatusRequest } from './schema';

export interface UserStatusDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

const ROUTES = {
  LOCK: routes.lockUser,
  UNLOCK: routes.unlockUser,
  CLOSE: routes.closeUser,
} satisfies Record<UserStatusAction, unknown>;

/**
 * POST /users/{userId}/lock|unlock|close {reason}: lock with ib-users:write or
 * institution-users:write; unlock and close with institution-users:write only.
 */
export function userStatusRouter(deps: UserStatusDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  for (const action of Object.keys(ROUTES) as UserStatusAction[]) {
    mount(
      router,
      ROUTES[action],
      deps,
      startRoute(deps, {
        doneStatus: 200,
        start: (req, body: UserStatusRequest) => {
          const userId = userIdParam(req);
          const requestId = requestKey(req, body.requestId);
          const input: ChangeUserStatusInput = {
            requestId,
            userId,
            action,
            reason: body.reason,
            requestedBy: req.principal!.subject,
            linkedSystems: config.LINKED_SYSTEMS.map((s) => s.name),
          };
          return startUserProcess(client, {
            workflowType: USER_STATUS_WORKFLOW,
            processId: userStatusProcessId(userId),
            processType: 'CHANGE_USER_STATUS',
            input,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            // The action is part of the request: the same key for a lock and a close is a reuse.
            digest: requestDigest(serverKey, { ...body, requestId: undefined, action, userId }),
            starter: starterMemo(req.principal),
            summary: `${action} · user ${userId}`,
            details: `Request ${requestId} by ${req.principal!.subject}. Steps: look up → core banking → linked systems and notices.`,
            inFlight: 'A status change',
          });
        },
      }),
    );
  }
  return router;
}

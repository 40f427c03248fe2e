import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestKey } from '../http/idempotency';
import { ProblemError } from '../http/problem';
import { userIdParam } from '../processes/user-process';
import { starterMemo } from '../processes/readers';
import { startRoute } from '../processes/start-route';
import { mount } from '../http/route';
import { routes } from '../routes';
import type { CreateSelfServiceUserRequest, UpdateSelfServiceUserRequest } from './schema';
import {
  selfServiceUserRead,
  refuseBadRequest,
  requireIdentityProvider,
  startSelfServiceUser,
  startSelfServiceUserUpdate,
} from './start';
import { readSelfServiceUser } from '../../clients/self-service-user';

const ADMIN = 'self-service-users:write';

/**
 * MBanq's self-service users: POST /v1/users (scope self-service-users:write, a bank
 * admin's) creates a business's API user through CreateSelfServiceUser; PUT /v1/users/{userId}
 * replaces its roles and clients (UpdateSelfServiceUser); GET reads it, for the admin or the
 * user's own self-service token. Closing is POST /users/{userId}/close.
 */
export function selfServiceUsersRouter(deps: {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}): Router {
  const router = Router();
  mount(
    router,
    routes.createSelfServiceUser,
    deps,
    startRoute(deps, {
      start: (req, body: CreateSelfServiceUserRequest) => {
        const requestId = requestKey(req, body.requestId);
        refuseBadRequest(body, deps.config);
        return startSelfServiceUser(deps, body, requestId, starterMemo(req.principal));
      },
    }),
  );
  mount(
    router,
    routes.updateSelfServiceUser,
    deps,
    startRoute(deps, {
      doneStatus: 200,
      start: (req, body: UpdateSelfServiceUserRequest) => {
        requireIdentityProvider(deps.config);
        return startSelfServiceUserUpdate(
          deps,
          userIdParam(req),
          body,
          requestKey(req, body.requestId),
          starterMemo(req.principal),
        );
      },
    }),
  );
  mount(router, routes.getSelfServiceUser, deps, async (req, res) => {
    requireIdentityProvider(deps.config);
    const userId = userIdParam(req);
    const p = req.principal!;
    // Without the admin scope: only a self-service user's token, only for itself.
    if (!p.scopes.has(ADMIN) && !(p.clients && p.subject === userId))
      throw new ProblemError(
        403,
        'SUBJECT_MISMATCH',
        'Not your user',
        `A self-service user's token reads only its own user; any other needs scope ${ADMIN}.`,
      );
    res.json(
      selfServiceUserRead(await readSelfServiceUser(deps.client, deps.config.TEMPORAL_TASK_QUEUE, userId)),
    );
  });
  return router;
}

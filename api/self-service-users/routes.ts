import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { starterMemo } from '../processes/readers';
import { startRoute } from '../processes/start-route';
import { createSelfServiceUserRequest, type CreateSelfServiceUserRequest } from './schema';
import { refuseBadRequest, startSelfServiceUser } from './start';

/**
 * MBanq's self-service users: POST /v1/users (scope self-service-users:write, a bank
 * admin's) creates a business's API user through CreateSelfServiceUser.
 */
export function selfServiceUsersRouter(deps: {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}): Router {
  const router = Router();
  router.post(
    '/v1/users',
    ...startRoute(deps, {
      auth: requireScopes(deps.verifier, 'self-service-users:write'),
      schema: createSelfServiceUserRequest,
      start: (req, body: CreateSelfServiceUserRequest) => {
        const requestId = requestKey(req, body.requestId);
        refuseBadRequest(body, deps.config);
        return startSelfServiceUser(deps, body, requestId, starterMemo(req.principal));
      },
    }),
  );
  return router;
}

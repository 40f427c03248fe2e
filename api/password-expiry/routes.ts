import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { mount } from '../http/route';
import { routes } from '../routes';
import { userIdParam } from '../processes/user-process';
import { reportFirstLogin } from '../../clients/password-expiry';

export interface PasswordExpiryDeps {
  client: Client;
  config: Pick<Config, 'API_WAIT_BUDGET_MS'>;
  verifier: TokenVerifier;
}

/**
 * POST /users/{userId}/first-login: the channel reports that the customer logged in with
 * the first-time password (and changed it). The timer stops only once the login's holder
 * confirms it (with Keycloak: no UPDATE_PASSWORD pending); `expiryStopped` says whether
 * it did within the wait budget. Repeating it, or reporting it when no timer runs, is harmless.
 */
export function passwordExpiryRouter(deps: PasswordExpiryDeps): Router {
  const router = Router();
  mount(router, routes.firstLogin, { verifier: deps.verifier }, async (req, res) => {
    const userId = userIdParam(req);
    const stopped = await reportFirstLogin(deps.client, userId, {
      reportedBy: req.principal!.subject,
      waitMs: deps.config.API_WAIT_BUDGET_MS,
    });
    res.json({ userId, expiryStopped: stopped });
  });
  return router;
}

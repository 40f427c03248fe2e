import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import {
  firstLoginSignal,
  passwordExpiryProcessId,
  type PasswordExpiryResult,
} from '../../messages/password-expiry';
import type { TokenVerifier } from '../http/auth';
import { mount } from '../http/route';
import { routes } from '../routes';
import { userIdParam } from '../processes/user-process';
import { withStartBudget } from '../../clients/process-start';

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
    const handle = deps.client.workflow.getHandle(passwordExpiryProcessId(userId));
    const signalled = await withStartBudget(deps.client, async () => {
      try {
        const desc = await handle.describe();
        if (desc.status.name !== 'RUNNING') return false;
        await handle.signal(firstLoginSignal, { reportedBy: req.principal!.subject });
        return true;
      } catch (e) {
        // No timer (never armed, or it ended meanwhile): nothing to stop.
        if (e instanceof WorkflowNotFoundError) return false;
        throw e;
      }
    });
    const stopped =
      signalled &&
      (await stoppedWithin(handle.result() as Promise<PasswordExpiryResult>, deps.config.API_WAIT_BUDGET_MS));
    res.json({ userId, expiryStopped: stopped });
  });
  return router;
}

/** Whether the timer ended by this first login within `ms` (an unconfirmed report leaves it running). */
async function stoppedWithin(result: Promise<PasswordExpiryResult>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    const outcome = await Promise.race([result.catch(() => null), waited]);
    return outcome?.outcome === 'FIRST_LOGIN';
  } finally {
    clearTimeout(timer);
  }
}

import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { firstLoginSignal, passwordExpiryProcessId } from '../../messages/password-expiry';
import type { TokenVerifier } from '../http/auth';
import { requireScopes } from '../http/scopes';
import { userIdParam } from '../processes/user-process';
import { withStartBudget } from '../processes/idempotent-start';

export interface PasswordExpiryDeps {
  client: Client;
  verifier: TokenVerifier;
}

/**
 * POST /users/{userId}/first-login: the channel reports that the customer logged in with
 * the first-time password (and changed it), which stops its expiry timer. Repeating it,
 * or reporting it when no timer runs, is harmless: `expiryStopped` says which it was.
 */
export function passwordExpiryRouter(deps: PasswordExpiryDeps): Router {
  const router = Router();
  router.post(
    '/users/:userId/first-login',
    requireScopes(deps.verifier, 'ib-users:write'),
    async (req, res) => {
      const userId = userIdParam(req);
      const handle = deps.client.workflow.getHandle(passwordExpiryProcessId(userId));
      const stopped = await withStartBudget(deps.client, async () => {
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
      res.json({ userId, expiryStopped: stopped });
    },
  );
  return router;
}

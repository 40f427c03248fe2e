import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { problems } from '../problem';

const READY_BUDGET_MS = 2_000;

/** /healthz: the process is up. /readyz: Temporal answers within 2 s. */
export function healthRouter(deps: { client: Client }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await deps.client.withDeadline(Date.now() + READY_BUDGET_MS, () =>
        deps.client.workflowService.getSystemInfo({}),
      );
    } catch {
      throw problems.unavailable('Temporal is not reachable.');
    }
    res.json({ status: 'ready', temporal: 'reachable' });
  });
  return router;
}

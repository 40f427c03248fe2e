import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../../lib/logger';
import { serverKeyCheck } from '../../clients/key-check';
import { searchAttributeCheck, type SearchAttributeCheck } from '../../clients/search-attribute-check';
import { temporalAnswers } from '../../clients/temporal';
import { problems } from '../http/problem';
import { mount } from '../http/route';
import { routes } from '../routes';

const READY_BUDGET_MS = 2_000;
/** A worker answers the key check in well under this; a probe never waits longer for it. */
const KEY_CHECK_WAIT_MS = 1_000;

/**
 * /healthz: the process is up. /readyz: Temporal answers within 2 s, the namespace has every
 * search attribute a start writes (503 naming those missing: see searchAttributeCheck), and
 * the worker does not hold another server key (503 naming the mismatch: see serverKeyCheck).
 */
export function healthRouter(deps: {
  client: Client;
  serverKey: Buffer;
  config: { TEMPORAL_TASK_QUEUE: string };
  logger?: Logger;
  /** The process's check (api/main.ts runs it at start-up); else one of this router's own. */
  searchAttributes?: SearchAttributeCheck;
}): Router {
  const router = Router();
  const keyCheck = serverKeyCheck({ ...deps, taskQueue: deps.config.TEMPORAL_TASK_QUEUE });
  const attributes = deps.searchAttributes ?? searchAttributeCheck(deps);
  mount(router, routes.healthz, {}, (_req, res) => {
    res.json({ status: 'ok' });
  });
  mount(router, routes.readyz, {}, async (_req, res) => {
    if (!(await temporalAnswers(deps.client, READY_BUDGET_MS)))
      throw problems.unavailable('Temporal is not reachable.');
    const searchAttributes = await attributes.status(READY_BUDGET_MS);
    if (searchAttributes.status === 'missing')
      throw problems.searchAttributesMissing(searchAttributes.missing);
    const serverKey = await keyCheck.status(KEY_CHECK_WAIT_MS);
    if (serverKey === 'mismatch')
      throw problems.unavailable(
        'SERVER_HMAC_KEY mismatch: the worker holds a different server key than this API, so every ' +
          'code and request digest would fail to verify. Start the API and the workers with the same SERVER_HMAC_KEY.',
      );
    res.json({
      status: 'ready',
      temporal: 'reachable',
      searchAttributes: searchAttributes.status,
      serverKey,
    });
  });
  return router;
}

import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { PROCESS_ID_PATTERN } from '../../messages/process';
import type { TokenVerifier } from '../http/auth';
import type { Config } from '../../config';
import { mount } from '../http/route';
import { routes } from '../routes';
import { problems } from '../http/problem';
import { processView } from './view';

export function processesRouter(deps: { client: Client; verifier: TokenVerifier; config: Config }): Router {
  const router = Router();
  mount(router, routes.getProcess, deps, async (req, res) => {
    const processId = String(req.params.processId);
    if (!PROCESS_ID_PATTERN.test(processId)) throw problems.notFound(`Process ${processId}`);
    res.json(await processView(deps.client, processId, req.principal!));
  });
  return router;
}

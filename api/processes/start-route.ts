import type { Request, RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { validated } from '../http/validate';
import { withStartBudget, type StartedProcess } from '../../clients/process-start';
import { respondWithOutcome } from './respond';

/**
 * The handler of every route that starts a process, written once: after mount() has
 * authorised and validated the body as the route declares, start within the engine's budget
 * (or replay) and answer with the outcome (`doneStatus`, 202 past the wait budget, or the
 * problem). A route adds only its start.
 */
export function startRoute<B>(
  deps: { client: Client; config: Config },
  o: {
    start: (req: Request, body: B) => Promise<StartedProcess>;
    doneStatus?: number;
  },
): RequestHandler {
  return async (req, res) => {
    const body = validated<B>(req);
    const started = await withStartBudget(deps.client, () => o.start(req, body));
    await respondWithOutcome(req, res, deps, started, o.doneStatus);
  };
}

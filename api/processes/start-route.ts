import type { Request, RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Config } from '../../config';
import { validateBody, validated } from '../http/validate';
import { withStartBudget, type StartedProcess } from '../../clients/process-start';
import { respondWithOutcome } from './respond';

/**
 * The skeleton of every route that starts a process, written once: authorise (`auth`),
 * validate the body, start within the engine's budget (or replay), answer with the outcome
 * (`doneStatus`, 202 past the wait budget, or the problem). A route adds only its start.
 */
export function startRoute<B>(
  deps: { client: Client; config: Config },
  o: {
    auth: RequestHandler;
    schema: z.ZodType<B>;
    start: (req: Request, body: B) => Promise<StartedProcess>;
    doneStatus?: number;
  },
): RequestHandler[] {
  return [
    o.auth,
    validateBody(o.schema),
    async (req, res) => {
      const body = validated<B>(req);
      const started = await withStartBudget(deps.client, () => o.start(req, body));
      await respondWithOutcome(req, res, deps, started, o.doneStatus);
    },
  ];
}

import { Router, type Request } from 'express';
import { startRoute } from '../processes/start-route';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { type ContactChange, type UpdateContactInfoInput } from '../../messages/contact-change';
import { businessProblem } from '../http/business-status';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { mount } from '../http/route';
import { routes } from '../routes';
import { assertActsFor } from '../http/self-service';
import { starterMemo } from '../processes/readers';
import { problems } from '../http/problem';
import { customerId as customerIdSchema } from '../http/fields';
import type { ContactInfoRequest } from './schema';
import { startContactInfoChange } from './start';
import { readContactInfo } from '../../clients/contact-change';

function toChange(body: ContactInfoRequest): ContactChange {
  if ('email' in body) return { email: body.email.emailAddress };
  if ('phoneNumber' in body) return { phone: body.phoneNumber, postalAddress: body.postalAddress };
  return { postalAddress: body.postalAddress };
}

/** The path's customer id, or 400. */
function customerIdOf(req: Request): string {
  const customerId = String(req.params.customerId);
  if (!customerIdSchema.safeParse(customerId).success) {
    throw problems.validation([{ path: 'customerId', message: 'a core-banking customer id' }]);
  }
  return customerId;
}

/**
 * PUT /customers/{customerId}/contact-info (scope institution-users:write, or a self-service
 * user's self-service:contact-info for the customers in its clients claim): the
 * institution's contact update, on the same workflow machinery as the phone change.
 * 200 with what changed (nothing changed: a no-op), 202 past the wait budget.
 */
export function contactInfoRouter(deps: {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  mount(
    router,
    routes.putContactInfo,
    deps,
    startRoute(deps, {
      doneStatus: 200,
      start: (req, body: ContactInfoRequest) => {
        const customerId = customerIdOf(req);
        assertActsFor(req.principal!, customerId, 'institution-users:write');
        const digest = requestDigest(serverKey, { customerId, ...body });
        // With a key, retries replay. Without one, a PUT repeating the customer's latest
        // change is taken as its retry and replays it (in flight or done); any other body,
        // also one repeating an older change, is a new change.
        const keyed = req.get('idempotency-key') !== undefined;
        const requestId = keyed ? requestKey(req, undefined) : `put-${digest.slice(0, 32)}`;
        const input: UpdateContactInfoInput = {
          requestId,
          customerId,
          change: toChange(body),
          linkedSystems: config.LINKED_SYSTEMS.map((s) => s.name),
        };
        return startContactInfoChange(client, input, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          digest,
          starter: starterMemo(req.principal),
          keyed,
          subject: req.principal?.subject ?? 'unknown',
        });
      },
    }),
  );
  // Candescent's "verify that a customer exists": the masked contacts, or 404.
  mount(router, routes.getContactInfo, deps, async (req, res) => {
    const customerId = customerIdOf(req);
    const read = await readContactInfo(client, config.TEMPORAL_TASK_QUEUE, customerId);
    const { found, contactInfo } = read;
    if (!found || !contactInfo) throw businessProblem('CUSTOMER_NOT_FOUND', `No customer ${customerId}.`);
    res.json(contactInfo);
  });
  return router;
}

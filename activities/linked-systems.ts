import { BusinessError } from '../adapters/errors';
import type { WebhookMessage, WebhookSender, WebhookTarget } from '../adapters/webhooks/types';

export interface LinkedSystemsDeps {
  webhooks: WebhookSender;
  /** Configured linked systems by name (LINKED_SYSTEMS); null target: the outbox. */
  linkedSystems: Map<string, WebhookTarget | null>;
}

/**
 * Tells one linked system of a change, keyed by the message id (a retry is the same
 * webhook, deduplicated by the receiver). A system no longer configured is a business
 * error: retrying cannot make it appear.
 */
export async function tellLinkedSystem(deps: LinkedSystemsDeps, system: string, message: WebhookMessage) {
  if (!deps.linkedSystems.has(system)) {
    throw new BusinessError('UNKNOWN_LINKED_SYSTEM', `linked system ${system} is not configured`);
  }
  await deps.webhooks.send(deps.linkedSystems.get(system) ?? null, message);
}

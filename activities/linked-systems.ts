import { BusinessError } from '../adapters/errors';
import type { WebhookMessage, WebhookSender, WebhookTarget } from '../adapters/webhooks/types';
import type { CoreBankingClient } from '../adapters/core-banking/types';
import { coreBankingContext } from './current-run';
import { translated } from './failures';
import type { IdentityProviderDeps } from './identity-provider';
import type { ContactChangePropagation, UsernameSyncInput, UserStatusPropagation } from './types';

export interface LinkedSystemsDeps {
  webhooks: WebhookSender;
  /** Configured linked systems by name (LINKED_SYSTEMS); null target: the outbox. */
  linkedSystems: Map<string, WebhookTarget | null>;
}

/** The onboarding channel's webhook (the username it assigned) and the linked systems told of changes. */
export interface LinkedSystemActivityDeps extends LinkedSystemsDeps, IdentityProviderDeps {
  /** null: the username sync goes to the outbox. */
  channelWebhook: WebhookTarget | null;
  /** An ops reset's username sync first asks whether the customer logged in already. */
  coreBanking: CoreBankingClient;
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

/** Webhooks to systems outside the bank's core: keyed by id, so a retry is the same message. */
export function createLinkedSystemActivities(deps: LinkedSystemActivityDeps) {
  return {
    syncUsernameToChannel: (input: UsernameSyncInput) =>
      translated(async () => {
        // Core banking mode: the customer's own password (set, no change pending) means the
        // first login happened, with this username.
        if (input.unlessLoggedIn && !deps.identityProvider) {
          const user = await deps.coreBanking.getIbUser(input.userId, coreBankingContext());
          if (!user.mustChangePassword && user.passwordSetAt !== null) return { delivered: 'none' as const };
        }
        const result = await deps.webhooks.send(deps.channelWebhook, {
          id: input.webhookId,
          type: 'ib_user.username_assigned',
          payload: {
            processId: input.processId,
            customerId: input.customerId,
            userId: input.userId,
            username: input.username,
            channel: input.channel,
          },
        });
        return { delivered: result.delivered };
      }),

    propagateContactChange: ({
      system,
      webhookId,
      customerId,
      userId,
      changed,
      change,
    }: ContactChangePropagation) =>
      translated(async () => {
        await tellLinkedSystem(deps, system, {
          id: webhookId,
          type: 'customer.contact_changed',
          payload: { customerId, userId, changed, ...change },
        });
      }),

    propagateUserStatus: ({ system, webhookId, userId, customerId, action, status }: UserStatusPropagation) =>
      translated(async () => {
        await tellLinkedSystem(deps, system, {
          id: webhookId,
          type: 'ib_user.status_changed',
          payload: { userId, customerId, action, status },
        });
      }),
  };
}

export type LinkedSystemActivities = ReturnType<typeof createLinkedSystemActivities>;

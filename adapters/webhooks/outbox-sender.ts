import { JsonlOutbox } from '../../lib/jsonl-outbox';
import type { WebhookDelivery, WebhookMessage, WebhookTarget } from './types';

/** One line of `<DATA_DIR>/outbox/webhooks.jsonl`. */
export interface WebhookOutboxRecord {
  /** De-duplication key: `${target name or 'outbox'}:${webhook id}`. */
  id: string;
  /** The webhook id a receiver would see (`webhook-id`). */
  webhookId: string;
  type: string;
  /** The target's name, or null when the caller named none. */
  target: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface OutboxWebhookSender {
  send(target: WebhookTarget | null, msg: WebhookMessage): Promise<WebhookDelivery>;
}

/**
 * The record id is scoped by target: the same logical message propagated to several
 * linked systems is one record per system (each delivery is distinct), while a retry of
 * the same target + message finds its record and is not written again. The webhook id
 * itself stays unscoped, exactly as an HTTP receiver would see it.
 */
export function outboxRecordId(target: WebhookTarget | null, msg: WebhookMessage): string {
  return `${target?.name ?? 'outbox'}:${msg.id}`;
}

/** Writes webhooks to a JSON-lines file instead of posting them (no URL configured). */
export function createOutboxWebhookSender(
  file: string,
  now: () => Date = () => new Date(),
): OutboxWebhookSender {
  const outbox = new JsonlOutbox<WebhookOutboxRecord>(file);
  return {
    async send(target, msg) {
      const written = await outbox.append({
        id: outboxRecordId(target, msg),
        webhookId: msg.id,
        type: msg.type,
        target: target?.name ?? null,
        payload: msg.payload,
        createdAt: now().toISOString(),
      });
      return written ? { delivered: 'outbox' } : { delivered: 'outbox', duplicate: true };
    },
  };
}

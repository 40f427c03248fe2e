import type { Tracer } from '@opentelemetry/api';
import { createHttpWebhookSender } from './http-sender';
import { createOutboxWebhookSender } from './outbox-sender';
import type { WebhookSender } from './types';

export type { WebhookDelivery, WebhookMessage, WebhookSender, WebhookTarget } from './types';
export type { WebhookOutboxRecord } from './outbox-sender';
export { outboxRecordId } from './outbox-sender';
export { signWebhook, verifyWebhook, type VerifyOptions, type WebhookHeaders } from './signature';

export interface WebhookSenderOptions {
  /** Usually `<DATA_DIR>/outbox/webhooks.jsonl`. */
  outboxFile: string;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  now?: () => Date;
  /** Spans around HTTP deliveries (not outbox writes); none when undefined. */
  tracer?: Tracer;
}

/**
 * Posts to targets that have a URL and writes everything else (no target, or a target
 * without a URL) to the outbox file, so the embedded default needs no receiver.
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSender {
  const http = createHttpWebhookSender(opts);
  const outbox = createOutboxWebhookSender(opts.outboxFile, opts.now);
  return {
    send(target, msg) {
      // The id is the receiver's de-duplication key: without one a retry is a new message.
      if (!msg.id) return Promise.reject(new TypeError('webhook message id is required'));
      return target?.url ? http.send(target, msg) : outbox.send(target, msg);
    },
  };
}

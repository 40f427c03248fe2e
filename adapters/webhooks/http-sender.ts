import type { Tracer } from '@opentelemetry/api';
import { peerAttributes, traceHeaders, withClientSpan } from '../../lib/trace-http';
import { callSignal } from '../call-signal';
import { BusinessError, TransientError } from '../errors';
import { signWebhook } from './signature';
import type { WebhookDelivery, WebhookMessage, WebhookTarget } from './types';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface HttpWebhookSenderOptions {
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Clock for the attempt timestamp; tests pin it. */
  now?: () => Date;
  /** A CLIENT span per attempt, its context sent as `traceparent`; none when undefined. */
  tracer?: Tracer;
}

export interface HttpWebhookSender {
  send(target: WebhookTarget, msg: WebhookMessage): Promise<WebhookDelivery>;
}

/**
 * POSTs signed Standard Webhooks. The webhook id is the message id, so every retry
 * carries the same id and the receiver can de-duplicate; the timestamp and signature
 * are those of the attempt, so a retry hours later is not refused as stale.
 */
export function createHttpWebhookSender(opts: HttpWebhookSenderOptions = {}): HttpWebhookSender {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const now = opts.now ?? (() => new Date());

  return {
    async send(target, msg) {
      const url = endpoint(target);
      const attributes = {
        ...peerAttributes(url),
        'http.request.method': 'POST',
        'webhook.target': target.name,
      };
      return withClientSpan(opts.tracer, `webhook ${target.name}`, attributes, (recordStatus) =>
        post(target, msg, url, recordStatus),
      );
    },
  };

  async function post(
    target: WebhookTarget,
    msg: WebhookMessage,
    url: URL,
    recordStatus: (status: number) => void,
  ): Promise<WebhookDelivery> {
    const { headers, body } = signedRequest(target, msg, now());
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: { ...headers, ...traceHeaders() },
        body,
        // A signed payload goes to the configured URL only, never where a redirect points.
        redirect: 'manual',
        // The activity's cancellation too: a post never goes on behind its own retry.
        signal: callSignal(timeoutMs),
      });
    } catch (e) {
      throw new TransientError(`webhook ${target.name}: ${failureReason(e, timeoutMs)}`, e);
    }
    await res.body?.cancel().catch(() => undefined); // the receiver's answer is its status
    recordStatus(res.status);
    return outcome(target, res.status);
  }
}

/** Standard Webhooks body (`type`, ISO `timestamp`, `data`) and headers for one attempt. */
function signedRequest(target: WebhookTarget, msg: WebhookMessage, at: Date) {
  const timestamp = Math.floor(at.getTime() / 1000);
  const body = JSON.stringify({ type: msg.type, timestamp: at.toISOString(), data: msg.payload });
  const headers = {
    'content-type': 'application/json',
    'webhook-id': msg.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(target.secret, msg.id, timestamp, body),
  };
  return { headers, body };
}

/** Checked before the attempt so a bad URL reads as configuration, not as a network error. */
function endpoint(target: WebhookTarget): URL {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new TypeError(`webhook ${target.name}: invalid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`webhook ${target.name}: URL must be http(s)`);
  }
  return url;
}

/**
 * 2xx delivered; 409 "already received" (a retry of something that arrived); 408, 429
 * and 5xx are worth retrying; any other answer (4xx incl. 410 Gone, or a redirect we do
 * not follow) is a definite refusal that retrying cannot change.
 */
function outcome(target: WebhookTarget, status: number): WebhookDelivery {
  if (status >= 200 && status < 300) return { delivered: 'http', status };
  if (status === 409) return { delivered: 'http', status, duplicate: true };
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientError(`webhook ${target.name} answered ${status}`);
  }
  throw new BusinessError('WEBHOOK_REJECTED', `webhook ${target.name} rejected the message (${status})`, {
    target: target.name,
    status,
  });
}

/** An error code, not the URL: a URL may carry credentials in its query string. */
function failureReason(e: unknown, timeoutMs: number): string {
  const name = field(e, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // fetch wraps socket errors as "fetch failed" with the useful part (ECONNREFUSED…) in cause
  const cause = field(e, 'cause');
  return String(field(cause, 'code') ?? field(cause, 'message') ?? field(e, 'message') ?? e);
}

/** Duck-typed: errors from undici/DOMException may come from another realm than ours. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Client spans around outgoing calls (core banking, SMS, webhooks). Light on purpose:
 * only the OpenTelemetry API, so the adapters load no SDK. Attributes name the
 * operation and the peer, never a URL (ids, phone numbers, Kannel's password in the query).
 */

/** W3C trace-context headers for the active span; empty when tracing is off (no propagator). */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** `server.address` / `server.port` of a base URL: the peer, without path or query. */
export function peerAttributes(url: string | URL): Attributes {
  const u = typeof url === 'string' ? new URL(url) : url;
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { 'server.address': u.hostname, 'server.port': port };
}

/** Records the HTTP answer's status on the call's span. */
export type RecordStatus = (status: number) => void;

const ignoreStatus: RecordStatus = () => undefined;

/**
 * Runs `fn` in a CLIENT span (the active one, so `traceHeaders()` inside it names it).
 * Without a tracer, `fn` runs as is. A failure sets the span's status to its error type
 * (a business code or error name), not its message: messages may quote the peer's reply.
 */
export async function withClientSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  attributes: Attributes,
  fn: (recordStatus: RecordStatus) => Promise<T>,
): Promise<T> {
  if (!tracer) return fn(ignoreStatus);
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn((status) => span.setAttribute('http.response.status_code', status));
    } catch (e) {
      const type = errorType(e);
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      throw e;
    } finally {
      span.end();
    }
  });
}

function errorType(e: unknown): string {
  const { code, name } = (e ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  return typeof name === 'string' ? name : 'Error';
}

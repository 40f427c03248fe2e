import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { routeOf } from './observe';

/**
 * A SERVER span per request, continuing a caller's W3C `traceparent`. Named by method and
 * route pattern once the route is known: raw paths carry ids, and no URL, query or body
 * goes into an attribute. Handlers (the workflow start) run in the span's context; the
 * request and response emitters are bound to it too, as OpenTelemetry's own HTTP
 * instrumentation does, so listeners added later keep it whatever the stream library
 * (raw-body binds its callback itself today).
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.scheme': req.protocol },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    context.bind(active, req);
    context.bind(active, res);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeOf(req);
      span.updateName(`${req.method} ${route}`);
      if (route !== 'unmatched') span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      // Server spans are errors for 5xx only: a 4xx is the client's mistake (semantic conventions).
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(active, next);
  };
}

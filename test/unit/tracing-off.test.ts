import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import { createTemporalClient } from '../../api/temporal';
import { loadConfig } from '../../config';
import { startTracing, temporalClientInterceptors } from '../../lib/tracing';
import { workerTracingOptions } from '../../worker/tracing';
import { ibUserBody } from '../helpers/esb-bodies';

/**
 * Tracing off (the default, no OTLP endpoint) costs nothing: no provider, no propagator
 * or context manager, no interceptors, plain adapters. Its own file: jest gives each file
 * fresh OpenTelemetry globals, and tracing on in another file must not leak in here.
 */
describe('tracing off', () => {
  const config = loadConfig({});

  it('starts no provider and registers no propagation or context', () => {
    expect(startTracing(config, 'ibmb-api')).toBeUndefined();
    expect(propagation.fields()).toEqual([]);
    // The no-op API: spans are non-recording and context does not follow the call.
    const span = trace.getTracer('x').startSpan('s');
    expect(span.isRecording()).toBe(false);
    const active = trace.setSpan(context.active(), span);
    expect(context.with(active, () => trace.getActiveSpan())).toBeUndefined();
  });

  it('installs no Temporal client or activity interceptor, and the workflow span sink discards', () => {
    expect(temporalClientInterceptors(undefined)).toBeUndefined();
    const client = createTemporalClient({});
    expect(client.options.interceptors.workflow ?? []).toEqual([]);
    const worker = workerTracingOptions(undefined);
    expect(worker.interceptors?.activity).toEqual([]);
    expect(Object.keys(worker.sinks ?? {})).toEqual(['exporter']);
    expect(() => worker.sinks?.exporter?.export?.fn({} as never, [])).not.toThrow();
  });

  it('sends no trace headers to core banking', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ibUserBody()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await createCoreBankingHttpClient({ baseUrl: url, timeoutMs: 2000 }).getIbUser('u-1');
      expect(seen[0]).not.toHaveProperty('traceparent');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import { BusinessError } from '../../adapters/errors';
import { tracedSmsSender } from '../../adapters/sms';
import { createKannelSmsSender } from '../../adapters/sms/kannel';
import { createTwilioSmsSender } from '../../adapters/sms/twilio';
import { createHttpWebhookSender } from '../../adapters/webhooks/http-sender';
import { loadConfig } from '../../config';
import { startTracing, tracesEndpoint, type Tracing } from '../../lib/tracing';
import { ibUserBody } from '../helpers/esb-bodies';

/** A local HTTP peer that records each request's headers and answers as told. */
async function peer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('tracesEndpoint (OTEL_* variables)', () => {
  const endpoint = (env: Record<string, string>) => tracesEndpoint(loadConfig(env));

  it('is off by default and with an endpoint is on', () => {
    expect(endpoint({})).toBeUndefined();
    expect(endpoint({ OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      endpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }),
    ).toBe('http://traces:4318/custom');
  });

  it('is off with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none, whatever the endpoint', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(endpoint({ ...on, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(endpoint({ ...on, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(startTracing(loadConfig({ ...on, OTEL_SDK_DISABLED: 'true' }), 'ibmb-api')).toBeUndefined();
  });

  it('refuses exporters it does not have', () => {
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});

describe('client spans of the adapters (tracing on)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    const started = startTracing(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SERVICE_NAME: 'unit' }),
      'ibmb-worker',
      exporter,
    );
    if (!started) throw new Error('tracing did not start');
    tracing = started;
  });
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  const finished = async (): Promise<ReadableSpan[]> => {
    await tracing.forceFlush();
    return exporter.getFinishedSpans();
  };
  /** The traceparent a span's context makes: what the peer must have received. */
  const traceparentOf = (span: ReadableSpan) =>
    `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

  it('core banking: a span per call, its context in traceparent, route template and no ids', async () => {
    const esb = await peer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errorCode":"CUSTOMER_NOT_FOUND"}');
    });
    try {
      const client = createCoreBankingHttpClient({
        baseUrl: esb.url,
        timeoutMs: 2000,
        tracer: tracing.tracer,
      });
      await expect(client.getCustomer('100777')).rejects.toBeInstanceOf(BusinessError);
      const [span] = await finished();
      expect(span?.name).toBe('core-banking getCustomer');
      expect(span?.kind).toBe(SpanKind.CLIENT);
      expect(span?.resource.attributes['service.name']).toBe('unit');
      expect(span?.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.template': '/esb/v1/customers/{customerId}',
        'http.response.status_code': 404,
        'error.type': 'CUSTOMER_NOT_FOUND',
        'server.address': '127.0.0.1',
      });
      expect(JSON.stringify(span?.attributes)).not.toContain('100777');
      expect(esb.seen[0]?.traceparent).toBe(traceparentOf(span as ReadableSpan));
    } finally {
      await esb.close();
    }
  });

  it('kannel: traceparent on the sendsms call, and no number, text or password in the span', async () => {
    const smsbox = await peer((_req, res) => res.writeHead(202).end('0: Accepted for delivery'));
    try {
      const sender = tracedSmsSender(
        createKannelSmsSender({
          sendsmsUrl: `${smsbox.url}/cgi-bin/sendsms`,
          username: 'u',
          password: 'pw-s3cret',
        }),
        tracing.tracer,
      );
      await sender.send({ id: 'm-1', to: '+254700100001', body: 'Your code is 482913' });
      const [span] = await finished();
      expect(span?.name).toBe('sms kannel');
      expect(span?.attributes).toEqual({ 'sms.provider': 'kannel' });
      expect(smsbox.seen[0]?.traceparent).toBe(traceparentOf(span as ReadableSpan));
      const { name, attributes, events, status } = span as ReadableSpan;
      expect(JSON.stringify({ name, attributes, events, status })).not.toMatch(/700100001|482913|pw-s3cret/);
    } finally {
      await smsbox.close();
    }
  });

  it('twilio: traceparent on the Messages API call', async () => {
    const api = await peer((_req, res) => {
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sid: 'SM1', status: 'queued' }));
    });
    try {
      const twilio = createTwilioSmsSender({
        accountSid: 'AC00000000000000000000000000000000',
        authToken: 'token',
        from: '+15005550006',
        apiBaseUrl: api.url,
      });
      await tracedSmsSender(twilio, tracing.tracer).send({ id: 'm-2', to: '+254700100001', body: 'hi' });
      const [span] = await finished();
      expect(span?.name).toBe('sms twilio');
      expect(api.seen[0]?.traceparent).toBe(traceparentOf(span as ReadableSpan));
    } finally {
      await api.close();
    }
  });

  it('webhooks: a span per attempt with traceparent; the target by name, not by URL', async () => {
    const receiver = await peer((_req, res) => res.writeHead(503).end());
    try {
      const sender = createHttpWebhookSender({ tracer: tracing.tracer });
      const target = {
        name: 'channel',
        url: `${receiver.url}/hooks?token=abc`,
        secret: 'whsec_c2VjcmV0c2VjcmV0',
      };
      await expect(sender.send(target, { id: 'msg-1', type: 't', payload: {} })).rejects.toThrow(/503/);
      const [span] = await finished();
      expect(span?.name).toBe('webhook channel');
      expect(span?.attributes).toMatchObject({
        'webhook.target': 'channel',
        'http.response.status_code': 503,
        'error.type': 'TransientError',
      });
      expect(JSON.stringify(span?.attributes)).not.toMatch(/token=abc|\/hooks/);
      expect(receiver.seen[0]?.traceparent).toBe(traceparentOf(span as ReadableSpan));
    } finally {
      await receiver.close();
    }
  });

  it('continues the active span: an adapter call inside an activity span is its child', async () => {
    const esb = await peer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ibUserBody())),
    );
    try {
      const client = createCoreBankingHttpClient({
        baseUrl: esb.url,
        timeoutMs: 2000,
        tracer: tracing.tracer,
      });
      const parent = tracing.tracer.startSpan('RunActivity:test');
      await context.with(trace.setSpan(context.active(), parent), () => client.getIbUser('u-1'));
      parent.end();
      const child = (await finished()).find((s) => s.name === 'core-banking getIbUser');
      expect(child?.parentSpanId).toBe(parent.spanContext().spanId);
      expect(child?.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(propagation.fields()).toEqual(['traceparent', 'tracestate']);
    } finally {
      await esb.close();
    }
  });
});

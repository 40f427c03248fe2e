import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPair, SignJWT } from 'jose';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { DEV_JWT_ALG, loadOrCreateDevKey, mintDevToken } from '../../lib/dev-keys';
import { createMetricsApp, listenMetrics } from '../../api/metrics';
import { createHttpMetrics } from '../../api/http/observe';
import { createTemporalClient } from '../../api/temporal';
import { loadConfig, type Config } from '../../config';
import { createLogger } from '../../lib/logger';
import { payloadCodec } from '../../lib/codec/data-converter';
import { loadServerKey } from '../../lib/server-key';
import { call } from '../helpers/stack';

/** The HTTP conventions every route shares, with Temporal deliberately unreachable. */
describe('API skeleton', () => {
  let server: Server;
  let url: string;
  let metricsServer: Server;
  let metricsUrl: string;
  let config: Config;
  const logs: string[] = [];

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-api-'));
    config = loadConfig({ DATA_DIR: dataDir, API_BODY_LIMIT: '1kb' });
    const sink = new Writable({ write: (c, _e, done) => (logs.push(String(c)), done()) });
    const metrics = createHttpMetrics();
    const app = createApp({
      config,
      metrics,
      client: createTemporalClient({
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
      }),
      logger: createLogger({ name: 'api', destination: sink }),
      verifier: await verifierFromConfig(config),
      serverKey: loadServerKey({ keysDir: config.keysDir }),
      codec: payloadCodec(config),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    metricsServer = await new Promise<Server>((resolve) => {
      const s = createMetricsApp(metrics).listen(0, '127.0.0.1', () => resolve(s));
    });
    metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => metricsServer.close(r));
    await new Promise((r) => server.close(r));
  });

  const expectProblem = (
    res: { status: number; headers: Headers; body: Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status,
      code,
      title: expect.any(String),
      type: expect.stringContaining('/problems/'),
    });
  };

  it('answers /healthz and echoes X-Request-Id', async () => {
    const res = await call(url, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('generates a request id when absent and accepts TransactionId as an alias', async () => {
    const generated = await call(url, 'GET', '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const aliased = await call(url, 'GET', '/healthz', { headers: { TransactionId: 'txn-42' } });
    expect(aliased.headers.get('x-request-id')).toBe('txn-42');
  });

  it('replaces a request id that is unsafe to echo', async () => {
    const res = await call(url, 'GET', '/healthz', { headers: { 'x-request-id': 'a b<script>' } });
    expect(res.headers.get('x-request-id')).not.toContain('<');
  });

  it('reports 503 on /readyz when Temporal is unreachable', async () => {
    const res = await call(url, 'GET', '/readyz');
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a request without a token with 401', async () => {
    const res = await call(url, 'GET', '/processes/onboard-100001');
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a token without the route scope with 403', async () => {
    const token = await mintDevToken(config, { scopes: ['mfa:write'] });
    const res = await call(url, 'GET', '/processes/onboard-100001', { token });
    expectProblem(res, 403, 'INSUFFICIENT_SCOPE');
    expect(res.body.requiredScopes).toEqual(['processes:read']);
  });

  it('refuses expired, forged and alg:none tokens', async () => {
    const expired = await mintDevToken(config, { scopes: ['processes:read'], expiresIn: '-5m' });
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ scope: 'processes:read' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('mallory')
      .setIssuer(config.AUTH_ISSUER)
      .setAudience(config.AUTH_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', scope: 'processes:read', iss: config.AUTH_ISSUER, aud: config.AUTH_AUDIENCE })}.`;
    for (const token of [expired, forged, none]) {
      expectProblem(await call(url, 'GET', '/processes/onboard-100001', { token }), 401, 'UNAUTHENTICATED');
    }
  });

  it('refuses a token without exp, and tokens whose typ is not an access token', async () => {
    const key = await loadOrCreateDevKey(config.keysDir);
    const sign = (typ: string | undefined, exp = true) => {
      const jwt = new SignJWT({ scope: 'processes:read' })
        .setProtectedHeader({ alg: DEV_JWT_ALG, kid: key.kid, ...(typ && { typ }) })
        .setSubject('channel')
        .setIssuer(config.AUTH_ISSUER)
        .setAudience(config.AUTH_AUDIENCE)
        .setIssuedAt();
      return (exp ? jwt.setExpirationTime('1h') : jwt).sign(key.privateKey);
    };
    // Not a process id: the 404 comes after authentication and asks nothing of (unreachable)
    // Temporal, whose connection attempts would cost seconds per call.
    const status = async (token: string) =>
      (await call(url, 'GET', '/processes/not-a-process', { token })).status;
    for (const typ of ['JWT', 'at+jwt', 'application/at+JWT'])
      expect(await status(await sign(typ))).not.toBe(401);
    expectProblem(
      await call(url, 'GET', '/processes/not-a-process', { token: await sign('JWT', false) }),
      401,
      'UNAUTHENTICATED',
    );
    for (const typ of [undefined, 'id+jwt', 'logout+jwt', 'secevent+jwt'])
      expect({ typ, status: await status(await sign(typ)) }).toEqual({ typ, status: 401 });
  });

  it('answers unknown routes with a 404 problem', async () => {
    expectProblem(await call(url, 'GET', '/nope'), 404, 'NOT_FOUND');
  });

  it('refuses non-JSON bodies with 415, malformed JSON with 400 and large bodies with 413', async () => {
    const token = await mintDevToken(config, { scopes: ['ib-users:write'] });
    const auth = { authorization: `Bearer ${token}` };
    const text = await fetch(`${url}/open-user-ib`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const bad = await fetch(`${url}/open-user-ib`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('MALFORMED_JSON');
    const big = await fetch(`${url}/open-user-ib`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(4096) }),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('validates bodies with field errors and rejects unknown fields', async () => {
    const token = await mintDevToken(config, { scopes: ['ib-users:write'] });
    const res = await call(url, 'POST', '/open-user-ib', {
      token,
      body: { customerId: '100001', channel: 'FAX', phone: '0700', extra: 1 },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['channel', 'phone']));
    expect(JSON.stringify(res.body.errors)).toMatch(/extra/);
  });

  it('requires an idempotency key and the required disclosures before anything starts', async () => {
    const token = await mintDevToken(config, { scopes: ['ib-users:write'] });
    const body = { customerId: '100001', channel: 'MOBILE', acceptedDisclosures: ['IB_TERMS'] };
    expectProblem(await call(url, 'POST', '/open-user-ib', { token, body }), 400, 'VALIDATION_FAILED');
    const res = await call(url, 'POST', '/open-user-ib', {
      token,
      body: { ...body, requestId: 'req-00000001' },
    });
    expectProblem(res, 422, 'DISCLOSURES_NOT_ACCEPTED');
    expect(res.body).toMatchObject({ required: ['IB_TERMS', 'PRIVACY'], missing: ['PRIVACY'] });
  });

  it('maps an unreachable Temporal to 503 on a write', async () => {
    const token = await mintDevToken(config, { scopes: ['ib-users:write'] });
    const res = await call(url, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'req-00000002',
        customerId: '100001',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
    });
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
  }, 30_000);

  it('listens for metrics on loopback by default, and not at all with API_METRICS_PORT=0', async () => {
    const logger = createLogger({ name: 'api', level: 'silent' });
    expect(listenMetrics({ ...config, API_METRICS_PORT: 0 }, createHttpMetrics(), logger)).toBeUndefined();
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const own = loadConfig({ DATA_DIR: config.dataDir, API_METRICS_PORT: String(port) });
    const server = listenMetrics(own, createHttpMetrics(), logger) as Server;
    await new Promise((r) => server.once('listening', r));
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port });
    await new Promise((r) => server.close(r));
  });

  it('exposes request counts and latency on the metrics listener, not on the public one', async () => {
    await call(url, 'GET', '/healthz');
    await call(url, 'GET', '/processes/onboard-100042'); // 401
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/processes\/:processId",status="401"\} [1-9]\d*/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz",status="200"\}/,
    );
    expect(text).not.toContain('onboard-100042');
  });

  it('writes one access log line per request, carrying its request id', async () => {
    await call(url, 'GET', '/healthz', { headers: { 'x-request-id': 'trace-me-123' } });
    const lines = logs
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        requestId: 'trace-me-123',
        route: '/healthz',
        status: '200',
      }),
    );
  });

  it('never logs a bearer token', () => {
    expect(logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});

import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import type { Route } from '../../api/http/route';
import { routeList } from '../../api/routes';
import { createTemporalClient } from '../../api/temporal';
import { loadConfig, type Config } from '../../config';
import { payloadCodec } from '../../lib/codec/data-converter';
import { mintDevToken } from '../../lib/dev-keys';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import { call } from '../helpers/stack';

/**
 * Each route is guarded as its one declaration (api/routes.ts) says, because mount() builds
 * the guard from it: no token is 401 before the body is looked at; a token without the
 * declared scopes is 403; any one of `anyScope` scopes (the last one too) opens the route,
 * and then the declared body schema refuses a bad body with 400. Temporal is unreachable:
 * nothing here gets past validation.
 */
describe('route guards, from the route declarations', () => {
  let server: Server;
  let url: string;
  let config: Config;

  beforeAll(async () => {
    config = loadConfig({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-guards-')) });
    const app = createApp({
      config,
      client: createTemporalClient({
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
      }),
      logger: createLogger({ name: 'api', level: 'silent' }),
      verifier: await verifierFromConfig(config),
      serverKey: loadServerKey({ keysDir: config.keysDir }),
      codec: payloadCodec(config),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const concrete = (route: Route) => route.path.replace(/:([A-Za-z]+)/g, '$1-1');
  const guarded = routeList.filter((r) => r.scopes);
  // Infinity answers in its own envelope (api/mfa/infinity.ts), not with these statuses.
  const native = (r: Route) => !r.konyHeader;
  const badBody = { unexpected: true };

  it('covers the guarded routes', () => {
    expect(guarded.length).toBeGreaterThan(25);
  });

  it('answers 401 without a token, before validating the body', async () => {
    const got = [];
    for (const route of guarded.filter(native)) {
      const res = await call(url, route.method.toUpperCase(), concrete(route), {
        ...(route.body && { body: badBody }),
      });
      got.push(`${route.method} ${route.path} ${res.status}`);
    }
    expect(got).toEqual(guarded.filter(native).map((r) => `${r.method} ${r.path} 401`));
  });

  it('answers 403 to a token without the declared scopes', async () => {
    const token = await mintDevToken(config, { scopes: ['unrelated:scope'] });
    const scoped = guarded.filter(native).filter((r) => r.scopes!.length);
    const got = [];
    for (const route of scoped) {
      const res = await call(url, route.method.toUpperCase(), concrete(route), {
        token,
        ...(route.body && { body: badBody }),
      });
      got.push(`${route.method} ${route.path} ${res.status}`);
    }
    expect(got).toEqual(scoped.map((r) => `${r.method} ${r.path} 403`));
  });

  it('lets any one declared scope through, then refuses a bad body with the declared schema (400)', async () => {
    const withBody = guarded.filter(native).filter((r) => r.body);
    expect(withBody.length).toBeGreaterThan(15);
    const got = [];
    for (const route of withBody) {
      // The last of the alternatives: the first is the one an ordinary caller is given.
      const token = await mintDevToken(config, { scopes: route.scopes!.slice(-1) });
      const res = await call(url, route.method.toUpperCase(), concrete(route), { token, body: badBody });
      got.push(`${route.method} ${route.path} ${res.status} ${String(res.body.code)}`);
    }
    expect(got).toEqual(withBody.map((r) => `${r.method} ${r.path} 400 VALIDATION_FAILED`));
  });
});

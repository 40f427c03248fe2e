import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import express from 'express';
import { KeySetUnavailableError, verifierFromConfig } from '../../api/http/auth';
import { errorHandler } from '../../api/http/errors';
import { requireScopes } from '../../api/http/scopes';
import { createLogger } from '../../lib/logger';
import { loadConfig } from '../../config';

/**
 * The identity provider's key set as the API sees it, served on loopback: a withdrawn key
 * stops verifying within AUTH_TOKEN_CACHE_SECONDS (not jose's default 10 minutes) and
 * production accepts RFC 9068 access tokens only (`typ` at+jwt, not an ID token's `JWT`).
 */
describe('token verification against a JWKS', () => {
  let published: JWK[] = [];
  /** The identity provider's state: up, answering 503, or gone (connection refused). */
  let idp: 'up' | 'failing' = 'up';
  const server = http.createServer((_req, res) => {
    if (idp === 'failing') return void res.writeHead(503).end();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  let jwksUrl = '';
  let sign: (typ: string) => Promise<string>;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    published = [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    sign = (typ) =>
      new SignJWT({ scope: 'mfa:write' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ })
        .setIssuer('https://idp.bank.example')
        .setAudience('ibmb-api')
        .setSubject('IBU00100002')
        .setExpirationTime('10m')
        .sign(privateKey);
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: 'https://idp.bank.example',
      AUTH_AUDIENCE: 'ibmb-api',
      ...env,
    });

  it('stops accepting a withdrawn key once AUTH_TOKEN_CACHE_SECONDS have passed', async () => {
    const verifier = await verifierFromConfig(config({ AUTH_TOKEN_CACHE_SECONDS: '1' }));
    const token = await sign('at+jwt');
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'IBU00100002' });
    const keys = published;
    published = [];
    try {
      // Past the token cache and the key set's age (1 s each), the withdrawn key is gone.
      await new Promise((r) => setTimeout(r, 2_200));
      await expect(verifier.verify(token)).rejects.toThrow('token invalid');
    } finally {
      published = keys;
    }
  });

  it('accepts only at+jwt in production by default, and JWT too elsewhere', async () => {
    expect(config({ NODE_ENV: 'production' }).AUTH_TOKEN_TYPES).toEqual(['at+jwt']);
    expect(config().AUTH_TOKEN_TYPES).toEqual(['at+jwt', 'JWT']);
    const production = await verifierFromConfig(
      config({ NODE_ENV: 'production', AUTH_TOKEN_CACHE_SECONDS: '0' }),
    );
    await expect(production.verify(await sign('JWT'))).rejects.toThrow('not an access token');
    await expect(production.verify(await sign('application/at+jwt'))).resolves.toMatchObject({
      subject: 'IBU00100002',
    });
    const development = await verifierFromConfig(config({ AUTH_TOKEN_CACHE_SECONDS: '0' }));
    await expect(development.verify(await sign('JWT'))).resolves.toMatchObject({ subject: 'IBU00100002' });
  });

  it('answers 503, not 401, when the key set cannot be fetched: the client keeps its token and retries', async () => {
    const token = await sign('at+jwt');
    idp = 'failing';
    try {
      const verifier = await verifierFromConfig(config({ AUTH_TOKEN_CACHE_SECONDS: '0' }));
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);
      const gone = await verifierFromConfig(
        loadConfig({
          AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks',
          AUTH_ISSUER: 'https://idp.bank.example',
          AUTH_AUDIENCE: 'ibmb-api',
          AUTH_TOKEN_CACHE_SECONDS: '0',
        }),
      );
      await expect(gone.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);

      const app = express();
      app.get('/x', requireScopes(verifier, 'mfa:write'), (_req, res) => void res.json({ ok: true }));
      app.use(errorHandler(createLogger({ name: 'test', level: 'silent' })));
      const listening = app.listen(0, '127.0.0.1');
      await new Promise((r) => listening.once('listening', r));
      try {
        const res = await fetch(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/x`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/problem\+json/);
        expect(res.headers.get('retry-after')).toBe('5');
      } finally {
        await new Promise((r) => listening.close(r));
      }
    } finally {
      idp = 'up';
    }
    // A token that does not verify is still 401's business.
    const verifier = await verifierFromConfig(config({ AUTH_TOKEN_CACHE_SECONDS: '0' }));
    await expect(verifier.verify(`${token.slice(0, -4)}AAAA`)).rejects.toThrow('token invalid');
  });
});

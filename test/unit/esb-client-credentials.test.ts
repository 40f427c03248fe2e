import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentials } from '../../adapters/core-banking/client-credentials';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';

/**
 * The worker authenticates to the ESB with an OAuth client-credentials token (production
 * refuses to run without one): a real token endpoint and ESB stand-in on loopback.
 */
describe('ESB client authentication', () => {
  const seen = { tokenRequests: 0, basic: [] as string[], bodies: [] as string[], esbAuth: [] as string[] };
  let issued = 0;
  let revoked = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/token') {
        seen.tokenRequests++;
        seen.basic.push(String(req.headers.authorization));
        seen.bodies.push(body);
        res.setHeader('content-type', 'application/json');
        return res.end(
          JSON.stringify({ access_token: `t${++issued}`, token_type: 'Bearer', expires_in: 300 }),
        );
      }
      const auth = String(req.headers.authorization);
      seen.esbAuth.push(auth);
      if (revoked.has(auth)) return res.writeHead(401).end();
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          customerId: '1',
          firstName: 'A',
          lastName: 'B',
          dateOfBirth: '1990-01-01',
          nationalId: '1',
          mobilePhone: null,
          email: null,
          status: 'ACTIVE',
          products: [],
        }),
      );
    });
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends one shared bearer token, fetched with the secret in the Basic header, and renews a refused one', async () => {
    const accessToken = clientCredentials({
      tokenUrl: `${base}/token`,
      clientId: 'ibmb-worker',
      clientSecret: 's3cret:x',
      scope: 'esb',
      timeoutMs: 2000,
    });
    const esb = createCoreBankingHttpClient({ baseUrl: base, timeoutMs: 2000, accessToken });
    await Promise.all([esb.getCustomer('1'), esb.getCustomer('1'), esb.getCustomer('1')]);
    expect(seen.tokenRequests).toBe(1);
    expect(seen.esbAuth).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
    expect(seen.basic[0]).toBe(`Basic ${Buffer.from('ibmb-worker:s3cret%3Ax').toString('base64')}`);
    expect(new URLSearchParams(seen.bodies[0])).toEqual(
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'esb' }),
    );

    // The ESB stops taking the token: that call fails (the activity retries), the next gets a new one.
    revoked = new Set(['Bearer t1']);
    await expect(esb.getCustomer('1')).rejects.toThrow();
    await esb.getCustomer('1');
    expect(seen.esbAuth.at(-1)).toBe('Bearer t2');
  });
});

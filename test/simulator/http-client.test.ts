import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import type { CoreBankingClient } from '../../adapters/core-banking/types';
import { BusinessError, TransientError } from '../../adapters/errors';
import { createRequest, startSimulator, type RunningSimulator } from './sim-harness';
import { ibUserBody } from '../helpers/esb-bodies';

/** The HTTP client against the simulator, plus stubbed responses for what the simulator never sends. */
let sim: RunningSimulator;
let client: CoreBankingClient;

beforeAll(async () => {
  sim = await startSimulator();
  client = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 2_000 });
});

afterEach(() => {
  sim.faults.reset();
});

afterAll(async () => {
  await sim.close();
});

/** Runs the promise and returns what it threw (failing the test if it did not throw). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('against the simulator', () => {
  it('reads a customer', async () => {
    const customer = await client.getCustomer('100001');
    expect(customer).toMatchObject({
      customerId: '100001',
      firstName: 'Amina',
      mobilePhone: '+254700100001',
    });
  });

  it('maps 404 CUSTOMER_NOT_FOUND to a BusinessError', async () => {
    const err = await failure(client.getCustomer('999999'));
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('encodes path parameters', async () => {
    const err = await failure(client.getCustomer('../../admin/faults'));
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('does check-then-create by businessKey', async () => {
    const customerId = await sim.newCustomer();
    const req = createRequest(customerId);
    expect(await client.findIbUsers({ businessKey: req.businessKey })).toEqual([]);
    const user = await client.createIbUser(req);
    expect(user).toMatchObject({ customerId, status: 'ACTIVE', businessKey: req.businessKey });
    expect(await client.findIbUsers({ businessKey: req.businessKey })).toEqual([user]);
    expect(await client.getIbUser(user.userId)).toEqual(user);

    const dup = await failure(client.createIbUser(req));
    expect(dup).toBeInstanceOf(BusinessError);
    expect(dup).toMatchObject({ code: 'DUPLICATE_BUSINESS_KEY', details: { userId: user.userId } });
  });

  it('maps USERNAME_TAKEN and ALREADY_REGISTERED', async () => {
    const taken = await failure(
      client.createIbUser(createRequest(await sim.newCustomer(), { username: 'brian.otieno' })),
    );
    expect(taken).toMatchObject({ name: 'BusinessError', code: 'USERNAME_TAKEN' });
    const registered = await failure(client.createIbUser(createRequest('100002')));
    expect(registered).toMatchObject({ name: 'BusinessError', code: 'ALREADY_REGISTERED' });
  });

  it('sets a password, then deactivates idempotently', async () => {
    const user = await client.createIbUser(createRequest(await sim.newCustomer()));
    await expect(client.setPassword(user.userId, 'First-Time-Pass-77', true)).resolves.toBeUndefined();
    const check = await sim.call('POST', `/admin/ib-users/${user.userId}/verify-password`, {
      password: 'First-Time-Pass-77',
    });
    expect(check.body.matches).toBe(true);

    const first = await client.deactivateIbUser(user.userId, 'fraud suspicion');
    expect(first.status).toBe('DEACTIVATED');
    expect(await client.deactivateIbUser(user.userId, 'fraud suspicion')).toEqual(first);
  });

  it('updates contact details idempotently', async () => {
    const customerId = await sim.newCustomer();
    const updated = await client.updateContact(customerId, {
      businessKey: `c-${customerId}`,
      mobilePhone: '+254700999888',
    });
    expect(updated.mobilePhone).toBe('+254700999888');
    const replay = await client.updateContact(customerId, {
      businessKey: `c-${customerId}`,
      mobilePhone: '+254700111222',
    });
    expect(replay.mobilePhone).toBe('+254700999888');
  });

  it('never puts the password in an error message', async () => {
    const secret = 'Never-Log-This-Pass-1';
    const user = await client.createIbUser(createRequest(await sim.newCustomer()));
    await client.deactivateIbUser(user.userId, 'test');
    const invalidState = await failure(client.setPassword(user.userId, secret, true));
    expect(invalidState).toMatchObject({ code: 'INVALID_STATE' });

    await sim.setFaults({ errorRate: 1 });
    const unavailable = await failure(client.setPassword(user.userId, secret, true));
    expect(unavailable).toBeInstanceOf(TransientError);

    const tooShort = await failure(
      createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 2_000 }).setPassword(
        'IBU00000000',
        'short',
        true,
      ),
    );
    for (const err of [invalidState, unavailable, tooShort]) {
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(secret);
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('short"');
    }
  });

  it('sends X-Correlation-Id from the call context', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const traced = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 2_000, fetchImpl: spy });
    await traced.getCustomer('100001', { correlationId: 'corr-abc-1' });
    await traced.getCustomer('100001');
    expect(seen[0]?.get('x-correlation-id')).toBe('corr-abc-1');
    expect(seen[1]?.has('x-correlation-id')).toBe(false);
  });
});

describe('fault injection through the client', () => {
  it('errorRate 1 gives a TransientError', async () => {
    await sim.setFaults({ errorRate: 1 });
    const err = await failure(client.getCustomer('100001'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('503');
  });

  it('latency beyond the client timeout gives a TransientError', async () => {
    await sim.setFaults({ latencyMs: 800 });
    const impatient = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 150 });
    const err = await failure(impatient.getCustomer('100001'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/timed out after 150 ms/);
  });

  it('a hang gives a TransientError', async () => {
    await sim.setFaults({ hang: true });
    const impatient = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 150 });
    expect(await failure(impatient.findIbUsers({ customerId: '100001' }))).toBeInstanceOf(TransientError);
  });

  it('a named business error gives a BusinessError with that code, `remaining` times', async () => {
    await sim.setFaults({
      businessError: { operation: 'createIbUser', errorCode: 'USERNAME_TAKEN', remaining: 2 },
    });
    const customerId = await sim.newCustomer();
    for (const left of [1, undefined]) {
      const err = await failure(client.createIbUser(createRequest(customerId)));
      expect(err).toBeInstanceOf(BusinessError);
      expect((err as BusinessError).code).toBe('USERNAME_TAKEN');
      expect((await sim.call('GET', '/admin/faults')).body.businessError?.remaining).toBe(left);
    }
    await expect(client.createIbUser(createRequest(customerId))).resolves.toMatchObject({ customerId });
  });

  it('an injected 5xx business code is still transient', async () => {
    await sim.setFaults({ businessError: { operation: 'getIbUser', errorCode: 'T24_OFFLINE', status: 502 } });
    expect(await failure(client.getIbUser('IBU00100002'))).toBeInstanceOf(TransientError);
  });

  it('a refused connection gives a TransientError', async () => {
    const nowhere = createCoreBankingHttpClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1_000 });
    const err = await failure(nowhere.getCustomer('100001'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('network error');
  });
});

describe('response mapping (stubbed ESB)', () => {
  function stubbed(status: number, body: string, contentType = 'application/json'): CoreBankingClient {
    const fetchImpl: typeof fetch = async () =>
      new Response(body, { status, headers: { 'content-type': contentType } });
    return createCoreBankingHttpClient({
      baseUrl: 'http://esb.invalid/context/',
      timeoutMs: 1_000,
      fetchImpl,
    });
  }

  it.each([
    [200, '<html>oops</html>'],
    [200, ''],
    [408, '{}'],
    [425, '{}'],
    [429, '{"errorCode":"RATE_LIMITED","message":"slow down"}'],
    [500, '{"errorCode":"INTERNAL","message":"boom"}'],
    [503, 'Service Unavailable'],
    [400, '<html>Bad gateway config</html>'],
  ])('%i %s → TransientError', async (status, body) => {
    expect(await failure(stubbed(status, body).getCustomer('1'))).toBeInstanceOf(TransientError);
  });

  it('a 4xx with errorCode → BusinessError with the rest as details', async () => {
    const err = await failure(
      stubbed(409, '{"errorCode":"ALREADY_REGISTERED","message":"has a user","userId":"IBU1"}').getCustomer(
        '1',
      ),
    );
    expect(err).toBeInstanceOf(BusinessError);
    expect(err).toMatchObject({
      code: 'ALREADY_REGISTERED',
      message: 'has a user',
      details: { userId: 'IBU1' },
    });
  });

  it('a 404 without errorCode → BusinessError NOT_FOUND', async () => {
    const err = await failure(stubbed(404, 'Not Found', 'text/plain').getIbUser('x'));
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).code).toBe('NOT_FOUND');
  });

  it('a 4xx with JSON but no errorCode → BusinessError HTTP_<status>', async () => {
    const err = await failure(stubbed(403, '{"error":"forbidden"}').getCustomer('1'));
    expect(err).toMatchObject({ name: 'BusinessError', code: 'HTTP_403' });
  });

  it('findIbUsers without an items array → TransientError', async () => {
    expect(await failure(stubbed(200, '{"users":[]}').findIbUsers({ customerId: '1' }))).toBeInstanceOf(
      TransientError,
    );
  });

  it('keeps the base URL path and builds the query', async () => {
    const urls: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response('{"items":[]}', { status: 200 });
    };
    const c = createCoreBankingHttpClient({
      baseUrl: 'http://esb.invalid/t24/',
      timeoutMs: 1_000,
      fetchImpl,
    });
    await c.findIbUsers({ customerId: '100001', username: 'a b&c' });
    expect(urls).toEqual(['http://esb.invalid/t24/esb/v1/ib-users?customerId=100001&username=a+b%26c']);
  });

  it.each([
    ['a missing field', { userId: 'IBU1', customerId: 'C1', username: 'amina' }],
    ['a status outside the contract', { ...ibUserBody(), status: 'SUPERUSER' }],
    ['a mistyped field', { ...ibUserBody(), mustChangePassword: 'no' }],
  ])('a 2xx user with %s → TransientError naming the field, not its value', async (_what, body) => {
    const err = await failure(stubbed(200, JSON.stringify(body)).getIbUser('IBU1'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/breaks the contract at /);
    expect(err.message).not.toMatch(/SUPERUSER|"no"/);
  });

  it('a 2xx list with one malformed user → TransientError', async () => {
    const body = JSON.stringify({ items: [ibUserBody(), { ...ibUserBody(), businessKey: 7 }] });
    expect(await failure(stubbed(200, body).findIbUsers({ customerId: 'C1' }))).toBeInstanceOf(
      TransientError,
    );
  });

  it('returns only the contract fields of a valid body', async () => {
    const user = await stubbed(200, JSON.stringify({ ...ibUserBody(), passwordHash: 'x' })).getIbUser('IBU1');
    expect(user).toEqual(ibUserBody());
  });
});

/** A well-formed IB user as the ESB returns it. */
describe('redirects', () => {
  /** A plain HTTP server on loopback, recording what reached it. */
  async function server(handle: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
    const srv = http.createServer(handle);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      close: () => new Promise((r) => srv.close(() => r())),
    };
  }

  it('does not follow a 307: the password body never reaches the Location', async () => {
    const reached: string[] = [];
    const elsewhere = await server((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        reached.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(204).end();
      });
    });
    const esb = await server((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${elsewhere.url}/steal${req.url}` }).end();
    });
    try {
      const c = createCoreBankingHttpClient({ baseUrl: esb.url, timeoutMs: 2_000 });
      const err = await failure(c.setPassword('IBU1', 'Secret-Pass-123', true));
      expect(err).toBeInstanceOf(TransientError);
      expect(err.message).toMatch(/redirect \(307\)/);
      expect(err.message).not.toContain('Secret-Pass-123');
      expect(await failure(c.getCustomer('1'))).toBeInstanceOf(TransientError);
      expect(reached).toEqual([]);
    } finally {
      await esb.close();
      await elsewhere.close();
    }
  });
});

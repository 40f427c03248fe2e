import { randomBytes } from 'node:crypto';
import { ChaosStack, sleep } from '../../scripts/chaos/stack';
import { buildDist } from '../helpers/launcher';

/**
 * An API and a worker started with different SERVER_HMAC_KEYs: /readyz says so (503
 * naming the key), rather than every code failing to verify. The same stack with the API
 * restarted on the worker's key is ready. Separate processes from dist/, as deployed.
 */
jest.setTimeout(180_000);

const key = () => randomBytes(32).toString('base64');

/** /readyz until it gives a settled key-check answer (a worker may still be starting). */
async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status === 503 || body.serverKey !== 'unverified' || Date.now() > until)
      return { status: res.status, body };
    await sleep(500);
  }
}

describe('/readyz: the API and the worker hold the same server key', () => {
  const workerKey = key();
  // /healthz: with mismatched keys the API must come up, only not be ready.
  const stack = new ChaosStack({
    partEnv: { worker: { SERVER_HMAC_KEY: workerKey }, api: { SERVER_HMAC_KEY: key() } },
    apiReadyPath: '/healthz',
  });

  beforeAll(async () => {
    buildDist();
    await stack.start();
  });
  afterAll(() => stack.stop());

  it('answers 503 naming the SERVER_HMAC_KEY mismatch when the keys differ', async () => {
    const r = await readyz(stack.apiUrl);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(String(r.body.detail)).toMatch(/SERVER_HMAC_KEY mismatch/);
    // The answer is settled: asked again, the same.
    expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(503);
    // Neither key, nor a fingerprint of it, is in the answer.
    expect(JSON.stringify(r.body)).not.toContain(workerKey);
  });

  it('is ready (200, key matches the worker) once the API runs on the same key', async () => {
    await stack.kill('api');
    stack.partEnv.api = { SERVER_HMAC_KEY: workerKey };
    await stack.startPart('api');
    const r = await readyz(stack.apiUrl);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ready', temporal: 'reachable', serverKey: 'matches-worker' });
  });
});

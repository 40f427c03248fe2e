import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { encryptingDataConverter } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import { call, startStack, waitForProcess, type Stack } from '../helpers/stack';

/**
 * A TCP proxy to the Temporal server whose answers can be held back: requests pass at
 * once (so a start does reach the engine), responses arrive `delayMs` late, in order.
 */
async function delayingProxy(target: string) {
  const [host, port] = target.split(':') as [string, string];
  const state = { delayMs: 0 };
  const sockets = new Set<net.Socket>();
  let held = 0;
  const server = net.createServer((down) => {
    const up = net.connect(Number(port), host);
    sockets.add(down).add(up);
    let chain = Promise.resolve();
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => {
      const releaseAt = Date.now() + state.delayMs;
      held++;
      chain = chain
        .then(() => new Promise((r) => setTimeout(r, Math.max(0, releaseAt - Date.now()))))
        .then(() => {
          held--;
          if (!down.destroyed) down.write(d);
        });
    });
    const close = () => {
      down.destroy();
      up.destroy();
    };
    down.on('error', close).on('close', close);
    up.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    /** Resolves once every held-back answer has been passed on. */
    drained: async () => {
      while (held > 0) await new Promise((r) => setTimeout(r, 100));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('honest answers and safe retries for starts, end to end', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack();
    token = await stack.token('ib-users:write processes:read institution-users:write');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const admin = (method: string, url: string, body?: unknown) =>
    call(stack.simulatorUrl, method, url, { body });
  const customer = (customerId: string) =>
    admin('POST', '/admin/customers', {
      customerId,
      firstName: 'Honest',
      lastName: 'Tester',
      phone: `+254700${customerId}`,
      email: `honest.${customerId}@example.com`,
      products: [`SAV-${customerId}`],
    });

  it('a PUT contact-info without a key, retried, replays its change instead of making or refusing another', async () => {
    await customer('300201');
    const put = (emailAddress: string, wait = 'wait=0') =>
      call(stack.apiUrl, 'PUT', '/customers/300201/contact-info', {
        token,
        body: { email: { emailAddress } },
        headers: { Prefer: wait },
      });
    // Core banking is slow: the first PUT is still in flight when the client retries it.
    await admin('PUT', '/admin/faults', { latencyMs: 1_500 });
    const first = await put('first.300201@example.com');
    expect(first.status).toBe(202);
    const retry = await put('first.300201@example.com');
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    await admin('DELETE', '/admin/faults');
    expect((await waitForProcess(stack, 'contact-300201')).body.status).toBe('COMPLETED');

    // Retried after it completed: the change's own outcome, not a second (empty) change.
    const late = await put('first.300201@example.com', 'wait=30');
    expect(late.status).toBe(200);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(late.body.changed).toEqual(['email']);
    const runs = [];
    for await (const r of stack.client.workflow.list({ query: `WorkflowId = 'contact-300201'` }))
      runs.push(r);
    expect(runs).toHaveLength(1);

    // Another change, then the first value again: a new change each time, not a replay.
    expect((await put('second.300201@example.com', 'wait=30')).body.changed).toEqual(['email']);
    const back = await put('first.300201@example.com', 'wait=30');
    expect(back.headers.get('idempotent-replayed')).toBeNull();
    expect(back.body.changed).toEqual(['email']);
    expect((await admin('GET', '/admin/customers/300201')).body.email).toBe('first.300201@example.com');
  }, 90_000);

  it('a start the engine did not answer in time is not reported as "nothing started"; its retry replays it', async () => {
    await customer('300202');
    const proxy = await delayingProxy(stack.env.address);
    const connection = await Connection.connect({ address: proxy.address });
    const client = new Client({
      connection,
      namespace: stack.env.namespace ?? 'default',
      dataConverter: encryptingDataConverter(stack.config, stack.codec),
    });
    const app = createApp({
      config: stack.config,
      client,
      logger: createLogger({ name: 'api', level: 'silent' }),
      verifier: await verifierFromConfig(stack.config),
      serverKey: loadServerKey({ keysDir: stack.config.keysDir }),
      codec: stack.codec,
    });
    const api: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const open = (wait: string) =>
      call(url, 'POST', '/open-user-ib', {
        token,
        body: {
          requestId: 'e2e-late-0001',
          customerId: '300202',
          channel: 'MOBILE',
          acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
        },
        headers: { Prefer: wait },
      });
    try {
      // Answers take longer than the start budget (and the look-up after it).
      proxy.state.delayMs = 9_000;
      const late = await open('wait=0');
      expect(late.status).toBe(503);
      expect(late.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', processId: 'onboard-300202' });
      expect(String(late.body.detail)).not.toMatch(/nothing (was )?started/i);
      // It had started: the onboarding runs to its end on the worker.
      proxy.state.delayMs = 0;
      expect((await waitForProcess(stack, 'onboard-300202')).body.status).toBe('COMPLETED');
      await proxy.drained();
      const retried = await open('wait=10');
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.status).toBe(201);
      const users = (await admin('GET', '/admin/customers/300202')).body.ibUsers as unknown[];
      expect(users).toHaveLength(1);
    } finally {
      await new Promise((r) => api.close(r));
      await connection.close();
      await proxy.close();
    }
  }, 90_000);
});

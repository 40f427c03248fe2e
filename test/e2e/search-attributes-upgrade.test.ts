import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { encryptingDataConverter } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import { call, startStack, type Stack } from '../helpers/stack';
import { E2E_SERVER_ENV } from '../setup/tools';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * The upgrade path of RequestKey (clients/process-start.ts writes it on every start): a
 * namespace registered before it has the other search attributes only, so every start would
 * be refused. The API must say so before traffic reaches it: /readyz 503 naming what is
 * missing, the commands that register it in the log, and a start refused meanwhile is a 503
 * naming it, not a 500. Once registered, the API is ready and starts work, without a restart.
 */
describe('an API whose namespace lacks a search attribute (upgrade from before RequestKey)', () => {
  let stack: Stack;
  let admin: Connection;
  let connection: Connection;
  let client: Client;
  let server: Server;
  let url: string;
  const logs: string[] = [];
  const namespace = `upgrade-requestkey-${process.pid}`;

  beforeAll(async () => {
    stack = await startStack();
    const address = process.env[E2E_SERVER_ENV] as string;
    admin = await Connection.connect({ address });
    await admin.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    // What a namespace set up before RequestKey has: every other attribute.
    await admin.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.filter((k) => k.name !== 'RequestKey').map((k) => [k.name, KEYWORD]),
      ),
    });
    connection = await Connection.connect({ address });
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    client = new Client({
      connection,
      namespace,
      dataConverter: encryptingDataConverter(stack.config, stack.codec),
    });
    const app = createApp({
      config: stack.config,
      client,
      logger: createLogger({ name: 'api', level: 'info', destination: sink }),
      verifier: await verifierFromConfig(stack.config),
      serverKey: loadServerKey({ keysDir: stack.config.keysDir }),
      codec: stack.codec,
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    // No worker polls this namespace: end the runs left waiting (the key check the probes
    // started, the process started) so nothing still polls when the connection closes.
    if (client) {
      for await (const run of client.workflow.list({ query: 'ExecutionStatus = "Running"' }))
        await client.workflow.getHandle(run.workflowId, run.runId).terminate('test over');
      await new Promise((r) => setTimeout(r, 500));
    }
    await connection?.close();
    await admin?.close();
    await stack?.stop();
  });

  const open = async (requestId: string) =>
    call(url, 'POST', '/open-user-ib', {
      token: await stack.token('ib-users:write'),
      body: {
        requestId,
        customerId: '700123',
        channel: 'BRANCH',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
    });

  it('is not ready, names what is missing and logs the command once; after registering it, starts', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await call(url, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'SEARCH_ATTRIBUTES_MISSING', missing: ['RequestKey'] });
      expect(String(res.body.detail)).toContain('RequestKey');
    }
    const command = `temporal operator search-attribute create --namespace ${namespace} --name RequestKey --type Keyword`;
    expect(logs.filter((l) => l.includes(command))).toHaveLength(1);

    // A start reaching the API anyway (the attribute removed after a probe): 503, not 500.
    const refused = await open('upgrade-refused-1');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'SEARCH_ATTRIBUTES_MISSING', missing: ['RequestKey'] });

    await admin.operatorService.addSearchAttributes({ namespace, searchAttributes: { RequestKey: KEYWORD } });
    let ready = await call(url, 'GET', '/readyz');
    for (let i = 0; i < 60 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ready = await call(url, 'GET', '/readyz');
    }
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', searchAttributes: 'complete' });

    const started = await open('upgrade-started-1');
    expect(started.status).toBe(202);
  }, 90_000);
});

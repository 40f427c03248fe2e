import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import type { PayloadCodec, WorkerDeploymentVersion } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { mintDevToken } from '../../lib/dev-keys';
import { loadConfig, type Config } from '../../config';
import { encryptingDataConverter, payloadCodec } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';
import { startTracing, temporalClientInterceptors, type Tracing } from '../../lib/tracing';
import { createSimulatorApp } from '../../simulator/app';
import { createFaults } from '../../simulator/faults';
import { SimulatorStore } from '../../simulator/store';
import { createWorker } from '../../worker/create-worker';
import { activityDeps } from '../../worker/deps';
import { workflowBundlePath } from '../setup/tools';
import { createDevServerEnv } from './temporal-env';

/** Everything one end-to-end suite runs against: dev server, simulator, real worker, API. */
export interface Stack {
  env: TestWorkflowEnvironment;
  client: Client;
  codec: PayloadCodec;
  config: Config;
  apiUrl: string;
  simulatorUrl: string;
  /** Every log line the API and the worker's activities wrote. */
  logs: string[];
  token(scopes: string): Promise<string>;
  outbox(name: 'sms' | 'webhooks' | 'email'): Record<string, unknown>[];
  /** Exports the API's and the worker's buffered spans (when OTEL_* overrides turn tracing on). */
  flushTraces(): Promise<void>;
  stop(): Promise<void>;
}

function listen(app: { listen: (port: number, host: string, cb: () => void) => Server }): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

export async function startStack(
  overrides: Record<string, string> = {},
  /** A Worker Deployment Version for the worker (unversioned when unset; the caller makes it current). */
  opts: {
    deployment?: WorkerDeploymentVersion;
    /** Watch the API's calls to Temporal (e.g. count the Updates a route sends). */
    apiClientInterceptors?: WorkflowClientInterceptor[];
  } = {},
): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-e2e-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const env = await createDevServerEnv();

  const simLogger = createLogger({ name: 'core-banking-simulator', level: 'warn', destination: sink });
  const store = SimulatorStore.open(dataDir);
  const simulator = await listen(createSimulatorApp({ store, faults: createFaults(), logger: simLogger }));

  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    CORE_BANKING_URL: urlOf(simulator),
    TEMPORAL_TASK_QUEUE: `e2e-${path.basename(dataDir)}`,
    ...overrides,
  });
  const logger = createLogger({ name: 'api', level: 'debug', destination: sink });
  const codec = payloadCodec(config);
  const dataConverter = encryptingDataConverter(config, codec);
  // As api/main.ts and worker/main.ts: one Tracing each, so spans carry their service names.
  const apiTracing = startTracing(config, 'ibmb-api');
  const workerTracing = startTracing(config, 'ibmb-worker');
  const tracings = [apiTracing, workerTracing].filter((t): t is Tracing => !!t);
  const clientFor = (tracing?: Tracing, watch: WorkflowClientInterceptor[] = []) => {
    const traced = temporalClientInterceptors(tracing?.tracer)?.workflow;
    return new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter,
      interceptors: { workflow: [...(Array.isArray(traced) ? traced : []), ...watch] },
    });
  };
  const client = clientFor(apiTracing, opts.apiClientInterceptors);
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    entityTaskQueue: config.entityTaskQueue,
    deps: activityDeps(config, workerTracing ? clientFor(workerTracing) : client, workerTracing?.tracer),
    workflowBundlePath,
    dataConverter,
    tracing: workerTracing,
    deployment: opts.deployment,
  });
  const workerRun = worker.run();
  const api = await listen(
    createApp({
      config,
      client,
      logger,
      verifier: await verifierFromConfig(config),
      serverKey: loadServerKey({ keysDir: config.keysDir }),
      codec,
      tracer: apiTracing?.tracer,
    }),
  );

  return {
    env,
    client,
    codec,
    config,
    apiUrl: urlOf(api),
    simulatorUrl: urlOf(simulator),
    logs,
    token: (scopes) => mintDevToken(config, { scopes: scopes.split(' ') }),
    outbox: (name) => {
      const file = path.join(config.outboxDir, `${name}.jsonl`);
      if (!fs.existsSync(file)) return [];
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    flushTraces: async () => {
      await Promise.all(tracings.map((t) => t.forceFlush()));
    },
    async stop() {
      await new Promise((r) => api.close(r));
      worker.shutdown();
      await workerRun;
      await Promise.all(tracings.map((t) => t.shutdown()));
      await new Promise((r) => simulator.close(r));
      await store.close();
      await env.teardown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small fetch wrapper for JSON APIs. */
export async function call(
  baseUrl: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(baseUrl + url, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Polls GET /processes/{id} until the process leaves RUNNING. */
export async function waitForProcess(stack: Stack, processId: string, timeoutMs = 60_000) {
  const token = await stack.token('processes:read');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(stack.apiUrl, 'GET', `/processes/${processId}`, { token });
    if (res.body.status !== 'RUNNING' || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 250));
  }
}

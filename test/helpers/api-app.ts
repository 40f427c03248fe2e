import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { verifierFromConfig } from '../../api/http/auth';
import { createMetricsApp } from '../../api/metrics';
import { createHttpMetrics } from '../../api/http/observe';
import { loadConfig, type Config } from '../../config';
import { payloadCodec } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/logger';
import { loadServerKey } from '../../lib/server-key';

export interface ListeningApi {
  url: string;
  /** The API's metrics listener (api/metrics.ts), as API_METRICS_PORT serves it. */
  metricsUrl: string;
  config: Config;
  stop(): Promise<void>;
}

/**
 * The real API app (api/app.ts) on a free loopback port, for routes that need no Temporal
 * server (codec, /metrics): its client connects lazily and is never used. DATA_DIR is
 * `dataDir` (its dev key signs the tokens the app accepts), else a fresh one stop() removes.
 */
export async function startApiApp(env: Record<string, string> = {}): Promise<ListeningApi> {
  const ownDir = env.DATA_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-api-app-'));
  const config = loadConfig({ DATA_DIR: ownDir as string, ...env });
  const metrics = createHttpMetrics();
  const app = createApp({
    config,
    metrics,
    client: new Client(),
    verifier: await verifierFromConfig(config),
    logger: createLogger({ name: 'api', level: 'silent' }),
    serverKey: loadServerKey({ keysDir: config.keysDir }),
    codec: payloadCodec(config),
  });
  const listen = (handler: typeof app) =>
    new Promise<Server>((resolve) => {
      const s = handler.listen(0, '127.0.0.1', () => resolve(s));
    });
  const server = await listen(app);
  const metricsServer = await listen(createMetricsApp(metrics));
  const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    url: urlOf(server),
    metricsUrl: urlOf(metricsServer),
    config,
    async stop() {
      await new Promise((r) => server.close(r));
      await new Promise((r) => metricsServer.close(r));
      if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

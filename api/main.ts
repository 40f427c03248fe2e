import type { Server } from 'node:http';
import { loadServiceConfig } from '../config/production';
import { createLogger } from '../lib/logger';
import { encryptingDataConverter, payloadCodec } from '../lib/codec/data-converter';
import { loadServerKey } from '../lib/server-key';
import { startTracing } from '../lib/tracing';
import { createApp } from './app';
import { verifierFromConfig } from './http/auth';
import { listenMetrics } from './metrics';
import { createHttpMetrics } from './http/observe';
import { createTemporalClient } from './temporal';
import { searchAttributeCheck } from '../clients/search-attribute-check';

/** The API process: listens on HOST:PORT, drains connections on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadServiceConfig();
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const tracing = startTracing(config, 'ibmb-api');
  const codec = payloadCodec(config);
  const client = createTemporalClient(process.env, encryptingDataConverter(config, codec), tracing?.tracer);
  const metrics = createHttpMetrics();
  // Checked (and any missing logged with the commands that register them) at start-up, not
  // only when a probe first asks; Temporal still down is checked again by /readyz.
  const searchAttributes = searchAttributeCheck({ client, logger });
  void searchAttributes.status(10_000);
  const app = createApp({
    config,
    metrics,
    client,
    logger,
    codec,
    verifier: await verifierFromConfig(config),
    serverKey: loadServerKey({ configured: config.SERVER_HMAC_KEY, keysDir: config.keysDir }),
    tracer: tracing?.tracer,
    searchAttributes,
  });
  const metricsServer = listenMetrics(config, metrics, logger);
  const server: Server = app.listen(config.PORT, config.HOST, () =>
    logger.info(
      { host: config.HOST, port: config.PORT, tracing: tracing ? tracing.serviceName : 'off' },
      'api listening',
    ),
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'api stopping');
    metricsServer?.close();
    server.close(() => {
      // The last requests' spans are exported before the process goes.
      void Promise.allSettled([client.connection.close(), tracing?.shutdown()]).finally(() =>
        process.exit(0),
      );
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

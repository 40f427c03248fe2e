import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import type { HttpMetrics } from './http/observe';

/**
 * GET /metrics on a listener of its own (API_METRICS_HOST:API_METRICS_PORT, loopback by
 * default), never on the public one: route-level traffic and process figures are for
 * Prometheus, not for callers of the API.
 */
export function createMetricsApp(metrics: HttpMetrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => void res.status(404).end());
  return app;
}

/** Starts the metrics listener unless API_METRICS_PORT is 0. */
export function listenMetrics(config: Config, metrics: HttpMetrics, logger: Logger): Server | undefined {
  if (!config.API_METRICS_PORT) return undefined;
  const { API_METRICS_HOST: host, API_METRICS_PORT: port } = config;
  return createMetricsApp(metrics).listen(port, host, () =>
    logger.info({ host, port }, 'api metrics listening'),
  );
}

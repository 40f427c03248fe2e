import crypto from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from '../lib/logger';
import { adminRoutes } from './admin-routes';
import { esbRoutes } from './esb-routes';
import type { FaultInjector } from './faults';
import { EsbHttpError } from './http-errors';
import type { SimulatorStore } from './store';

/**
 * The core-banking simulator: T24 behind the ESB, speaking the contract in
 * docs/esb-contract.md. Returned unstarted so tests can listen on port 0.
 */
export interface SimulatorAppDeps {
  store: SimulatorStore;
  faults: FaultInjector;
  logger: Logger;
  /** Clock for createdAt/updatedAt; tests may pin it. */
  now?: () => Date;
}

export const BODY_LIMIT = '16kb';
const CORRELATION_HEADER = 'x-correlation-id';

export function createSimulatorApp(deps: SimulatorAppDeps): Express {
  const { store, faults, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.use(correlate(logger));
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/esb/v1', esbRoutes({ store, faults, now }));
  app.use('/admin', adminRoutes({ store, faults, now }));
  app.use((req, res) => {
    res.status(404).json({ errorCode: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` });
  });
  app.use(errorHandler(logger, store));
  return app;
}

/** Echoes (or assigns) X-Correlation-Id and logs one line per request: no bodies, no query strings. */
function correlate(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get(CORRELATION_HEADER);
    const correlationId = given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    res.setHeader('X-Correlation-Id', correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          correlationId,
          method: req.method,
          path: req.originalUrl.split('?')[0], // req.path is router-relative by now
          status: res.statusCode,
          durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'request',
      );
    });
    next();
  };
}

/** Writes errors in the ESB's `{errorCode, message}` shape. */
function errorHandler(logger: Logger, store: SimulatorStore): ErrorRequestHandler {
  const internal = (err: unknown) => {
    // Only name and message: body-parser errors carry the raw body, which may hold a password.
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    logger.error({ err: { name, message } }, 'simulator request failed');
    return new EsbHttpError(500, 'INTERNAL_ERROR', 'internal simulator error');
  };
  return async (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = err instanceof EsbHttpError ? err : (bodyParserError(err) ?? internal(err));
    // A 409 tells what the store holds (that user exists, has that status): only once durable.
    const sent = answer.status === 409 ? await store.durable().then(() => answer, internal) : answer;
    res.status(sent.status).json(sent.body());
  };
}

function bodyParserError(err: unknown): EsbHttpError | undefined {
  if (!err || typeof err !== 'object' || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.parse.failed':
      return new EsbHttpError(400, 'VALIDATION_FAILED', 'request body is not valid JSON');
    case 'entity.too.large':
      return new EsbHttpError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${BODY_LIMIT}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new EsbHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
    default:
      return undefined;
  }
}

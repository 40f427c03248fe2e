import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import type { TokenVerifier } from './auth';
import { errorHandler, notFound } from './middleware/errors';
import { jsonBody } from './middleware/json-body';
import { requestId } from './middleware/request-id';
import { codecRouter } from './routes/codec';
import { healthRouter } from './routes/health';
import { openUserIbRouter } from './routes/open-user-ib';
import { processesRouter } from './routes/processes';

export interface AppDeps {
  config: Config;
  client: Client;
  verifier: TokenVerifier;
  logger: Logger;
  serverKey: Buffer;
  /** The payload codec the client uses, served to the Temporal UI as a remote codec. */
  codec: PayloadCodec;
}

/** The HTTP API, testable without listening. Thin: validate, start/query workflows, map to HTTP. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  app.use(...jsonBody(deps.config.API_BODY_LIMIT));
  app.use(healthRouter(deps));
  app.use(
    codecRouter({ codec: deps.codec, verifier: deps.verifier, corsOrigins: deps.config.CODEC_CORS_ORIGINS }),
  );
  app.use(openUserIbRouter(deps));
  app.use(processesRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

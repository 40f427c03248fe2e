import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import type { TokenVerifier } from './http/auth';
import { errorHandler, notFound } from './http/errors';
import { INFINITY_BASE_PATH, infinityErrors } from './mfa/infinity';
import { jsonBody } from './http/json-body';
import { createHttpMetrics, observe, type HttpMetrics } from './http/observe';
import { requestId } from './http/request-id';
import { traceRequests } from './http/trace';
import { codecRouter } from './codec/routes';
import type { SearchAttributeCheck } from '../clients/search-attribute-check';
import { healthRouter } from './health/routes';
import { openApiRouter } from './openapi/routes';
import { infinityDbxUserRouter } from './mfa/infinity-routes';
import { mfaRouter } from './mfa/routes';
import { openUserIbRouter } from './onboarding/routes';
import { processesRouter } from './processes/routes';
import { updateUserIbRouter } from './contact-change/phone-routes';
import { contactInfoRouter } from './contact-change/contact-info-routes';
import { registrationRouter } from './registration/routes';
import { passwordResetRouter } from './password-reset/routes';
import { passwordExpiryRouter } from './password-expiry/routes';
import { userStatusRouter } from './user-status/routes';
import { securityQuestionsRouter } from './security-questions/routes';
import { selfServiceUsersRouter } from './self-service-users/routes';

export interface AppDeps {
  config: Config;
  client: Client;
  verifier: TokenVerifier;
  logger: Logger;
  serverKey: Buffer;
  /** The payload codec the client uses, served to the Temporal UI as a remote codec. */
  codec: PayloadCodec;
  /** A server span per request (lib/tracing.ts); none when tracing is off. */
  tracer?: Tracer;
  /** Request metrics; served by api/metrics.ts on its own listener, not by this app. */
  metrics?: HttpMetrics;
  /** The namespace's search-attribute check api/main.ts runs at start-up (/readyz uses it). */
  searchAttributes?: SearchAttributeCheck;
}

/** The HTTP API, testable without listening. Thin: validate, start/query workflows, map to HTTP. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY);
  // Answers describe processes that change under the caller: nothing to revalidate, no hash to compute.
  app.set('etag', false);
  if (deps.tracer) app.use(traceRequests(deps.tracer));
  app.use(requestId);
  app.use(observe(deps.logger, deps.metrics ?? createHttpMetrics()));
  // Before the API-wide body limit: the codec parses (after authentication) with its own.
  app.use(
    codecRouter({
      codec: deps.codec,
      verifier: deps.verifier,
      corsOrigins: deps.config.CODEC_CORS_ORIGINS,
      bodyLimit: deps.config.CODEC_BODY_LIMIT,
      keysDir: deps.config.keysDir,
    }),
  );
  app.use(...jsonBody(deps.config.API_BODY_LIMIT));
  app.use(healthRouter(deps));
  app.use(openApiRouter());
  app.use(openUserIbRouter(deps));
  app.use(mfaRouter(deps));
  app.use(infinityDbxUserRouter(deps));
  // Also catches body-parsing errors on those paths: Infinity clients never get problem+json.
  app.use(INFINITY_BASE_PATH, infinityErrors(deps.logger));
  app.use(updateUserIbRouter(deps));
  app.use(contactInfoRouter(deps));
  app.use(registrationRouter(deps));
  app.use(
    passwordResetRouter(deps),
    passwordExpiryRouter(deps),
    userStatusRouter(deps),
    securityQuestionsRouter(deps),
  );
  app.use(selfServiceUsersRouter(deps));
  app.use(processesRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Tracer } from '@opentelemetry/api';
import { temporalConnectConfig } from '../config/temporal';
import type { Env } from '../config/env';
import { temporalClientInterceptors } from '../lib/tracing';

/**
 * A lazily connecting client: the API starts (and answers /healthz) while Temporal is
 * still coming up; /readyz and requests report 503 until it is reachable.
 */
export function createTemporalClient(
  env: Env = process.env,
  dataConverter?: DataConverter,
  tracer?: Tracer,
): Client {
  const { connectionOptions, namespace } = temporalConnectConfig(env);
  const connection = Connection.lazy({
    address: connectionOptions.address,
    tls: connectionOptions.tls,
    apiKey: connectionOptions.apiKey,
    metadata: connectionOptions.metadata,
  });
  return new Client({
    connection,
    namespace,
    dataConverter,
    interceptors: temporalClientInterceptors(tracer),
  });
}

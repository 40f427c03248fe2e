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

/** gRPC UNAVAILABLE / connection refused anywhere in the cause chain. */
export function isTemporalUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const { code, message, cause, name } = e as {
      code?: number;
      message?: string;
      cause?: unknown;
      name?: string;
    };
    if (code === 14 || code === 4) return true; // UNAVAILABLE, DEADLINE_EXCEEDED
    // An Update (e.g. an MFA create's update-with-start) not answered within its deadline,
    // as while a restarted server catches up: the engine did not answer in time.
    if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    if (
      typeof message === 'string' &&
      /ECONNREFUSED|Connection refused|failed to connect|transport error/i.test(message)
    ) {
      return true;
    }
    e = cause;
  }
  return false;
}

/**
 * The engine did not answer within the deadline (DEADLINE_EXCEEDED, an Update's RPC
 * timeout): unlike a refused connection, the call may have taken effect.
 */
export function isOutcomeUnknown(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const { code, cause, name } = e as { code?: number; cause?: unknown; name?: string };
    if (code === 4 || name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    e = cause;
  }
  return false;
}

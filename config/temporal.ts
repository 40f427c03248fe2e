import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Env } from './env';

/**
 * Temporal connection settings per Temporal's envconfig conventions (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE / config file),
 * so one build runs on the dev server, a self-hosted cluster or Temporal Cloud.
 */
export function temporalConnectConfig(env: Env = process.env) {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? '127.0.0.1:7233' },
    namespace: namespace ?? 'default',
  };
}

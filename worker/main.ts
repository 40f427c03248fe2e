import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadServiceConfig } from '../config/production';
import { temporalConnectConfig } from '../config/temporal';
import { encryptingDataConverter } from '../lib/codec/data-converter';
import { createLogger } from '../lib/logger';
import { startTracing, temporalClientInterceptors } from '../lib/tracing';
import { createWorker, resolveBundlePath } from './create-worker';
import { activityDeps } from './deps';
import { versionName, workerDeploymentVersion } from './deployment';
import { installRuntime } from './runtime';

/**
 * The worker process. The SDK drains in-flight tasks on SIGINT/SIGTERM (its default
 * shutdown signals); run() resolves once it has, then the connection is closed.
 */
async function main(): Promise<void> {
  const config = loadServiceConfig();
  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  installRuntime(
    logger,
    config.WORKER_METRICS_PORT ? `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}` : undefined,
  );
  const tracing = startTracing(config, 'ibmb-worker');
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const dataConverter = encryptingDataConverter(config);
  // Activities that update other workflows (MFA destination quotas) use a client on the same server.
  const clientConnection = await Connection.connect(connectionOptions);
  const client = new Client({
    connection: clientConnection,
    namespace,
    dataConverter,
    // A quota workflow an activity starts joins the activity's trace.
    interceptors: temporalClientInterceptors(tracing?.tracer),
  });
  const workflowBundlePath = resolveBundlePath(config.TEMPORAL_WORKFLOW_BUNDLE);
  const deployment = workerDeploymentVersion(config);
  const worker = await createWorker({
    connection,
    namespace,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    entityTaskQueue: config.entityTaskQueue,
    deps: activityDeps(config, client, tracing?.tracer),
    workflowBundlePath,
    dataConverter,
    tracing,
    deployment,
    // Explicit, not derived from the heap size: memory stays bounded with any number of open runs.
    options: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
  });
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      entityTaskQueue: config.entityTaskQueue,
      namespace,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      bundle: workflowBundlePath ?? 'bundled at start',
      tracing: tracing ? tracing.serviceName : 'off',
      deploymentVersion: deployment ? versionName(deployment) : 'unversioned',
    },
    'worker running',
  );
  try {
    await worker.run();
  } finally {
    await clientConnection.close();
    await connection.close();
    // After the drain: the last activities' and workflows' spans are exported before exit.
    await tracing
      ?.shutdown()
      .catch((err: unknown) => logger.warn({ err }, 'trace export at shutdown failed'));
    logger.info('worker stopped');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

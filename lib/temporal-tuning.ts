/**
 * Server dynamic config the service is tuned for: the dev server gets it as
 * `--dynamic-config-value` (npm start, the tests, chaos, bench) and Compose's server from
 * docker/temporal/dynamicconfig/development-sql.yaml (a test keeps the two equal).
 * Measured one at a time in bench/README.md; docs/sizing.md says what production sets.
 */
export const TEMPORAL_DYNAMIC_CONFIG = {
  // One node gains nothing from partitions: with the default four, a task written to a
  // partition no poller waits on is forwarded (the baseline's throughput rose by 40 %).
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // The activity comes back in the answer to the workflow task that scheduled it, when the
  // worker has a free slot: no transfer task, no trip through matching.
  'system.enableActivityEagerExecution': true,
  // Each transfer-queue read (a new run's first workflow task, an activity, a signal)
  // waited for a token of 20/s: ~40 ms per hop at low load. A start's first task came
  // 50 → 10 ms.
  'history.transferProcessorMaxPollRPS': 1000,
  // Worker Versioning (worker/deployment.ts): Worker Deployment Versions and the APIs that set
  // the current and ramping version. Server 1.29's defaults; stated because the workers get no
  // task without them, whatever a server's own config file says.
  'system.enableDeploymentVersions': true,
  'frontend.workerVersioningWorkflowAPIs': true,
} as const;

/** `--dynamic-config-value key=json` arguments for the Temporal CLI dev server. */
export const devServerDynamicConfigArgs = (): string[] =>
  Object.entries(TEMPORAL_DYNAMIC_CONFIG).flatMap(([k, v]) => [
    '--dynamic-config-value',
    `${k}=${JSON.stringify(v)}`,
  ]);

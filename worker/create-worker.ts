import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Tracing } from '../lib/tracing';
import { deploymentOptions } from './deployment';
import { workerTracingOptions } from './tracing';
import { workflowInterceptorModules } from './workflow-modules';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Where the MFA quota workflows run (config entityTaskQueue): a second worker serves it. */
  entityTaskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (production, tests); without one, workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Encrypts payloads; must match the clients' converter. */
  dataConverter?: DataConverter;
  /** Activity spans and the workflow span sink; off when undefined. */
  tracing?: Tracing;
  /** The Worker Deployment Version both workers join (worker/deployment.ts); unversioned when undefined. */
  deployment?: WorkerDeploymentVersion;
  options?: Partial<WorkerOptions>;
}

/** Where `npm run build` writes the production workflow bundle. */
export const defaultBundlePath = path.resolve(__dirname, '..', 'workflow-bundle.js');

export function resolveBundlePath(configured?: string): string | undefined {
  if (configured) return configured;
  return fs.existsSync(defaultBundlePath) ? defaultBundlePath : undefined;
}

/**
 * The worker process's two workers, on one connection and one bundle: every process on
 * `taskQueue`, the MFA quota entities on `entityTaskQueue` with workflow task slots of
 * their own. A challenge holds its workflow task (and its slot) while its local-first
 * reservation waits for the quota's Update; on one shared pool, enough such challenges
 * at once would leave no slot for the quotas they wait on.
 */
export interface Workers {
  main: Worker;
  entities: Worker;
  /** Resolves when both have stopped; rejects (after stopping the other) if one fails. */
  run(): Promise<void>;
  shutdown(): void;
}

/** The entity worker's sticky cache for a main worker's `cached`. */
export const entityCacheSize = (cached: number) => Math.ceil(cached / 4);

export async function createWorker(setup: WorkerSetup): Promise<Workers> {
  const workflows = setup.workflowBundlePath
    ? { workflowBundle: { codePath: setup.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const tracing = workerTracingOptions(setup.tracing);
  const common = {
    connection: setup.connection,
    namespace: setup.namespace,
    dataConverter: setup.dataConverter,
    ...workflows,
    sinks: tracing.sinks,
    ...(setup.deployment && { workerDeploymentOptions: deploymentOptions(setup.deployment) }),
    interceptors: {
      ...tracing.interceptors,
      // Only for bundling at start: a prebuilt bundle has them built in (the SDK warns otherwise).
      ...(setup.workflowBundlePath ? {} : { workflowModules: workflowInterceptorModules }),
    },
  };
  const main = await Worker.create({
    ...common,
    taskQueue: setup.taskQueue,
    activities: createActivities(setup.deps),
    ...setup.options,
  });
  // Quota workflows run no activities: this one polls workflow tasks only. Their tasks are
  // small and their histories short (an evicted run replays cheaply): a quarter of the cache.
  const cached = setup.options?.maxCachedWorkflows;
  const entities = await Worker.create({
    ...common,
    taskQueue: setup.entityTaskQueue,
    ...setup.options,
    ...(cached !== undefined && { maxCachedWorkflows: entityCacheSize(cached) }),
  });
  const shutdown = () => {
    for (const w of [main, entities]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    main,
    entities,
    shutdown,
    async run() {
      const runs = [main.run(), entities.run()].map((r) =>
        r.catch((e: unknown) => (shutdown(), Promise.reject(e))),
      );
      const results = await Promise.allSettled(runs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

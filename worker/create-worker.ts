import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Tracing } from '../lib/tracing';
import { workerTracingOptions } from './tracing';
import { workflowInterceptorModules } from './workflow-modules';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (production, tests); without one, workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Encrypts payloads; must match the clients' converter. */
  dataConverter?: DataConverter;
  /** Activity spans and the workflow span sink; off when undefined. */
  tracing?: Tracing;
  options?: Partial<WorkerOptions>;
}

/** Where `npm run build` writes the production workflow bundle. */
export const defaultBundlePath = path.resolve(__dirname, '..', 'workflow-bundle.js');

export function resolveBundlePath(configured?: string): string | undefined {
  if (configured) return configured;
  return fs.existsSync(defaultBundlePath) ? defaultBundlePath : undefined;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const workflows = setup.workflowBundlePath
    ? { workflowBundle: { codePath: setup.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const tracing = workerTracingOptions(setup.tracing);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    activities: createActivities(setup.deps),
    dataConverter: setup.dataConverter,
    ...workflows,
    sinks: tracing.sinks,
    interceptors: {
      ...tracing.interceptors,
      // Only for bundling at start: a prebuilt bundle has them built in (the SDK warns otherwise).
      ...(setup.workflowBundlePath ? {} : { workflowModules: workflowInterceptorModules }),
    },
    ...setup.options,
  });
}

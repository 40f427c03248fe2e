import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../setup/tools';

let queue = 0;

/** Runs `fn` with a worker on a fresh task queue, using the bundle built in globalSetup. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `wf-test-${process.pid}-${++queue}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: { codePath: workflowBundlePath },
  });
  return worker.runUntil(fn(taskQueue));
}

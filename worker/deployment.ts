import type { WorkflowService } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { currentBuild } from '../lib/build-id';

/**
 * This worker's Worker Deployment Version, or undefined for an unversioned worker
 * (WORKER_VERSIONING=false). The build id is WORKER_BUILD_ID, else the one `npm run build`
 * recorded: a new build is a new version, which gets tasks only once ops make it current
 * or ramp it (docs/operations.md).
 */
export function workerDeploymentVersion(
  config: Pick<Config, 'WORKER_VERSIONING' | 'WORKER_DEPLOYMENT_NAME' | 'WORKER_BUILD_ID'>,
): WorkerDeploymentVersion | undefined {
  if (!config.WORKER_VERSIONING) return undefined;
  return {
    deploymentName: config.WORKER_DEPLOYMENT_NAME,
    buildId: config.WORKER_BUILD_ID ?? currentBuild().buildId,
  };
}

/**
 * Both workers of a process (every process, the entities) are one version: a build serves
 * both task queues. Each workflow type states its behaviour (workflows/index.ts); a type
 * that does not is pinned, the safe side for a short-lived process.
 */
export function deploymentOptions(version: WorkerDeploymentVersion): WorkerDeploymentOptions {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}

/** `<deployment>:<build id>`, as the server and the CLI print a version. */
export const versionName = (v: WorkerDeploymentVersion) => `${v.deploymentName}:${v.buildId}`;

/**
 * Makes `version` current, as `temporal worker deployment set-current-version` does (the
 * launcher and Compose's `worker-version` job; ops use the CLI, docs/operations.md): new
 * runs, and the auto-upgrade entities at their next task, go to it. A version exists once
 * its workers have polled, so a worker that has just started is retried for `timeoutMs`.
 */
export async function makeVersionCurrent(
  service: WorkflowService,
  namespace: string,
  version: WorkerDeploymentVersion,
  { identity, timeoutMs = 60_000 }: { identity: string; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await service.setWorkerDeploymentCurrentVersion({ namespace, ...version, identity });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`could not make ${versionName(version)} current: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

import type { VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

type WorkflowFn = (...args: never[]) => Promise<unknown>;

/** Each workflow type's behaviour, as `versioned` declared it (a unit test reads it). */
export const versioningBehaviours = new Map<WorkflowFn, VersioningBehavior>();

/**
 * Declares the Worker Versioning behaviour of workflow types (docs/operations.md). It is
 * sent only by a versioned worker: the server refuses a behaviour from an unversioned one
 * (tests, WORKER_VERSIONING=false), so those complete their tasks without it.
 */
export function versioned(behaviour: VersioningBehavior, ...workflows: WorkflowFn[]): void {
  for (const wf of workflows) {
    versioningBehaviours.set(wf, behaviour);
    setWorkflowOptions(
      // An unversioned worker's task has a build id but no deployment name (worker/deployment.ts
      // gives a deployment only to versioned workers).
      () => ({
        versioningBehavior: workflowInfo().currentDeploymentVersion?.deploymentName ? behaviour : undefined,
      }),
      wf,
    );
  }
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkerDeploymentVersion } from '@temporalio/common';

const run = promisify(execFile);

export interface CliTarget {
  /** The Temporal CLI (lib/tools.ts). */
  cli: string;
  address: string;
  namespace: string;
}

/**
 * `temporal worker deployment set-current-version`, the command docs/operations.md gives
 * ops: new runs, and the auto-upgrade entities at their next task, go to `version`. A
 * version exists once its workers have polled, so a worker that has just started is
 * retried for up to `timeoutMs`; the CLI's last complaint is the error after that.
 */
export function setCurrentVersion(
  target: CliTarget,
  version: WorkerDeploymentVersion,
  timeoutMs = 30_000,
): Promise<string> {
  return retryCli(target, ['set-current-version', ...versionArgs(version)], timeoutMs);
}

/** `temporal worker deployment set-ramping-version`: `percentage` of new runs go to `version`. */
export function setRampingVersion(
  target: CliTarget,
  version: WorkerDeploymentVersion,
  percentage: number,
  timeoutMs = 30_000,
): Promise<string> {
  return retryCli(
    target,
    ['set-ramping-version', ...versionArgs(version), '--percentage', String(percentage)],
    timeoutMs,
  );
}

const versionArgs = (v: WorkerDeploymentVersion) => [
  '--deployment-name',
  v.deploymentName,
  '--build-id',
  v.buildId,
];

async function retryCli(target: CliTarget, args: string[], timeoutMs: number): Promise<string> {
  const full = [
    'worker',
    'deployment',
    ...args,
    '--yes',
    '--address',
    target.address,
    '--namespace',
    target.namespace,
  ];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await run(target.cli, full, { timeout: 15_000 })).stdout;
    } catch (err) {
      if (Date.now() > deadline) {
        const e = err as { stderr?: string; message?: string };
        throw new Error(`temporal ${full.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

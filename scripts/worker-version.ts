import { Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { temporalConnectConfig } from '../config/temporal';
import { makeVersionCurrent, versionName, workerDeploymentVersion } from '../worker/deployment';

/**
 * `node dist/scripts/worker-version.js`: docker-compose.yml's worker-version job. Once the
 * worker of this image polls, makes its version (WORKER_DEPLOYMENT_NAME and the build id
 * `npm run build` recorded in the image) current, as `npm start`'s launcher does for its
 * own. Ops deploying a new build ramp it instead (docs/operations.md).
 */
async function main(): Promise<void> {
  const version = workerDeploymentVersion(loadConfig());
  if (!version) {
    console.error('WORKER_VERSIONING=false: unversioned workers, nothing to make current');
    return;
  }
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  try {
    await makeVersionCurrent(connection.workflowService, namespace, version, {
      identity: 'compose worker-version',
      timeoutMs: 120_000,
    });
  } finally {
    await connection.close();
  }
  console.error(`current worker version ${versionName(version)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

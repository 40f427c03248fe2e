import { isWorkflowFunctionWithOptions } from '@temporalio/common/lib/workflow-definition-options';
import * as workflows from '../../workflows';
import { versioningBehaviours } from '../../workflows/versioning';
import { deploymentOptions, workerDeploymentVersion } from '../../worker/deployment';
import { buildOf } from '../../lib/build-id';
import { repoRoot } from '../setup/tools';

/** The long-lived entities: they move to each new build; everything else is a short process. */
const ENTITIES = ['MfaDestinationQuota', 'MfaUserOtpLock', 'FirstTimePasswordExpiry'];

describe('Worker Versioning', () => {
  it('pins every short-lived process and lets every long-lived entity auto-upgrade, each type saying which', () => {
    // Declared once per type, and handed to the SDK as the type's definition options.
    const behaviourOf = (fn: unknown) =>
      isWorkflowFunctionWithOptions(fn) ? versioningBehaviours.get(fn) : 'no definition options';
    const names = Object.keys(workflows);
    expect(names).toEqual(expect.arrayContaining(ENTITIES));
    expect(
      Object.fromEntries(Object.entries(workflows).map(([name, fn]) => [name, behaviourOf(fn)])),
    ).toEqual(
      Object.fromEntries(names.map((name) => [name, ENTITIES.includes(name) ? 'AUTO_UPGRADE' : 'PINNED'])),
    );
  });

  it('versions the worker by deployment name and a build id of the package version and commit', () => {
    const build = buildOf(repoRoot, { IBMB_COMMIT: '0123456789ab' });
    expect(build.buildId).toBe(`${build.version}+0123456789ab`);
    expect(buildOf(repoRoot, {}).buildId).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}(\.dirty)?$/);
    const version = workerDeploymentVersion({
      WORKER_VERSIONING: true,
      WORKER_DEPLOYMENT_NAME: 'ibmb-user-lifecycle',
      WORKER_BUILD_ID: '0.1.0+abc',
    });
    expect(version).toEqual({ deploymentName: 'ibmb-user-lifecycle', buildId: '0.1.0+abc' });
    expect(deploymentOptions(version!)).toMatchObject({ useWorkerVersioning: true });
    expect(
      workerDeploymentVersion({
        WORKER_VERSIONING: false,
        WORKER_DEPLOYMENT_NAME: 'x',
        WORKER_BUILD_ID: 'y',
      }),
    ).toBeUndefined();
  });
});

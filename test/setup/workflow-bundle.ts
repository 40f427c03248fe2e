import fs from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules } from '../../worker/workflow-modules';
import { assertProvisioned, testResultsDir, workflowBundlePath, repoRoot, TEST_RUN_ENV } from './tools';

/**
 * Global setup of every layer that runs workflow code: checks the provisioned servers and
 * bundles the workflow code once per jest run (several layers share it), so each suite's
 * Worker loads the bundle instead of running webpack again (the same prebuilt-bundle path
 * production uses).
 */
export default async function bundleWorkflows(): Promise<void> {
  assertProvisioned();
  // Layers' setups run in the one jest process: the first bundles, the others reuse it.
  // pid and start time: a later run that happens to get the same pid is still a new run.
  const run = `${process.pid}@${Math.round(performance.timeOrigin)}`;
  if (process.env.IBMB_WORKFLOW_BUNDLE_RUN === run && fs.existsSync(workflowBundlePath)) return;
  process.env[TEST_RUN_ENV] = run;
  fs.mkdirSync(testResultsDir, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(`${repoRoot}/workflows`),
    // The same interceptors as the production bundle: tracing is decided per run inside them.
    workflowInterceptorModules,
    // As scripts/build-workflow-bundle.ts: workflow failures are encrypted like the client's.
    failureConverterPath: require.resolve(`${repoRoot}/lib/codec/failure-converter`),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: console.warn,
      error: console.error,
    },
  });
  fs.writeFileSync(workflowBundlePath, code);
  process.env.IBMB_WORKFLOW_BUNDLE_RUN = run;
}

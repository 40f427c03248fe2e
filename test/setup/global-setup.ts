import fs from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules } from '../../worker/workflow-modules';
import { assertProvisioned, testResultsDir, workflowBundlePath, repoRoot } from './tools';

/**
 * Runs once before all suites: checks the provisioned servers and bundles the
 * workflow code once, so each suite's Worker loads the bundle instead of running
 * webpack again (the same prebuilt-bundle path production uses).
 */
export default async function globalSetup(): Promise<void> {
  assertProvisioned();
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
}

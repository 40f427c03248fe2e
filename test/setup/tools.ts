import fs from 'node:fs';
import path from 'node:path';
import { toolsDir as toolsDirOf } from '../../lib/tools';

/** Where scripts/provision.sh put the Temporal binaries. */
export const repoRoot = path.resolve(__dirname, '../..');
export const toolsDir = toolsDirOf(repoRoot);
export const temporalCliPath = path.join(toolsDir, 'bin', 'temporal');
export const testServerPath = path.join(toolsDir, 'bin', 'temporal-test-server');
/** Jaeger v2, built by scripts/provision.sh (part `jaeger`). */
export const jaegerPath = path.join(toolsDir, 'bin', 'jaeger');
export const testResultsDir = path.join(repoRoot, '.test-results');
export const workflowBundlePath = path.join(testResultsDir, 'workflow-bundle.js');

export function assertProvisioned(): void {
  for (const p of [temporalCliPath, testServerPath]) {
    if (!fs.existsSync(p))
      throw new Error(`${p} is missing: run \`npm run provision\` (npm test does this first)`);
  }
}

/** Where test/helpers/temporal-env.ts finds the e2e layer's one dev server (test/setup/e2e-setup.ts). */
export const E2E_SERVER_ENV = 'IBMB_E2E_TEMPORAL_ADDRESS';

/**
 * Names this jest run (set by the first global setup, seen by every suite): what is built
 * once per run (the workflow bundle, `npm run build`) is stamped with it.
 */
export const TEST_RUN_ENV = 'IBMB_TEST_RUN';
export const testRun = (): string | undefined => process.env[TEST_RUN_ENV];

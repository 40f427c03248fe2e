import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules } from '../worker/workflow-modules';
import { failureConverterPath } from '../lib/codec/data-converter';
import { buildOf } from '../lib/build-id';

/**
 * `npm run build`: the production workflow bundle, so workers start without webpack, and
 * the build id of the worker version that runs it (lib/build-id.ts).
 */
async function main(): Promise<void> {
  const out = path.resolve(__dirname, '..', 'workflow-bundle.js');
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '..', 'workflows'),
    workflowInterceptorModules,
    // Workflow failures are converted inside the bundle: they must be encrypted there too.
    failureConverterPath,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error },
  });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle written to ${path.relative(process.cwd(), out)}`);
  const build = buildOf(path.resolve(__dirname, '..', '..'));
  fs.writeFileSync(path.resolve(__dirname, '..', 'build-info.json'), `${JSON.stringify(build)}\n`);
  console.log(`build id ${build.buildId}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

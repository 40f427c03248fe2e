import path from 'node:path';

/** Where scripts/provision.sh puts what it provisions (IBMB_TOOLS_DIR, else `<repo>/.tools`). */
export const toolsDir = (repoRoot: string): string =>
  process.env.IBMB_TOOLS_DIR || path.join(repoRoot, '.tools');

/** The Temporal CLI to run: TEMPORAL_CLI, else the provisioned one. */
export const temporalCli = (repoRoot: string): string =>
  process.env.TEMPORAL_CLI || path.join(toolsDir(repoRoot), 'bin', 'temporal');

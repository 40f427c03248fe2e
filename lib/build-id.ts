import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The build id of a worker's Deployment Version: `<package version>+<commit>`, e.g.
 * `0.1.0+3f2a1b9c04de`. A commit with uncommitted changes on top says so (`.dirty`): that
 * build is not the commit's. `npm run build` records it in dist/build-info.json, so the
 * image (built without .git) and every process started from dist/ agree on it.
 */
export interface BuildInfo {
  version: string;
  commit: string;
  buildId: string;
}

/** Where `npm run build` records it, next to the workflow bundle it describes. */
export const buildInfoPath = path.resolve(__dirname, '..', 'build-info.json');

/** The recorded build of dist/, else (running from source) the checkout's. */
export function currentBuild(root = path.resolve(__dirname, '..')): BuildInfo {
  if (fs.existsSync(buildInfoPath)) return JSON.parse(fs.readFileSync(buildInfoPath, 'utf8')) as BuildInfo;
  return buildOf(root);
}

/** The build of a checkout: its package version and commit (`IBMB_COMMIT`, else git). */
export function buildOf(root: string, env: NodeJS.ProcessEnv = process.env): BuildInfo {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const commit = env.IBMB_COMMIT?.trim() || gitCommit(root);
  return { version, commit, buildId: `${version}+${commit}` };
}

function gitCommit(root: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const sha = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${sha}.dirty` : sha;
  } catch {
    // Neither IBMB_COMMIT nor a git checkout (an image built without its build argument).
    return 'unknown';
  }
}

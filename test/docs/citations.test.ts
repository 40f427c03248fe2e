import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../setup/tools';

/**
 * Nothing in the repository cites a document that is not in it: every Markdown link to a
 * local file, every `name.md` mentioned in code, docs or config, and every source path a
 * document names resolves, relative to the citing file or to the repository root.
 */
const TEXT = /\.(md|ts|js|mjs|cjs|sh|ya?ml|json)$/;
// This file names missing documents on purpose, to show they are caught.
const SKIP = new Set(['package-lock.json', 'test/docs/citations.test.ts']);
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => TEXT.test(f) && !SKIP.has(f) && fs.existsSync(path.join(repoRoot, f)));

function citations(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const links = [...(file.endsWith('.md') ? text : '').matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((href) => !/^(https?:|mailto:|#)/.test(href));
  const mentions = [...text.matchAll(/(?<![\w/.-])((?:\.{1,2}\/)?[\w./-]*[\w-]+\.md)\b/g)].map(
    (m) => m[1] ?? '',
  );
  // Source files and folders a document names (`api/mfa/routes.ts`, `api/http/`): a move must
  // not leave them stale. A folder needs two levels (`docker/dev-only/`): `mfa/` alone is a
  // name relative to whatever the sentence is about.
  const sources = [
    ...(file.endsWith('.md') ? text : '').matchAll(
      /`((?:[\w.-]+\/)+[\w.-]+\.(?:ts|js|mjs|sh|ya?ml|json)|[\w.-]+\/(?:[\w.-]+\/)+)(?::\d+)?`/g,
    ),
  ]
    .map((m) => m[1] ?? '')
    .filter((p) => !p.startsWith('DATA_DIR/'));
  return [...links, ...mentions, ...sources].map((c) => c.replace(/#.*$/, '')).filter(Boolean);
}

/** Relative to the citing file, the root or docs/; a git-ignored path is an output a script writes. */
const resolves = (file: string, cited: string) =>
  [path.dirname(file), '.', 'docs'].some((base) => {
    const target = path.join(repoRoot, base, cited);
    return target.startsWith(repoRoot + path.sep) && fs.existsSync(target);
  }) || ignored(cited);

function ignored(cited: string): boolean {
  if (cited.startsWith('..')) return false;
  try {
    execFileSync('git', ['check-ignore', '-q', cited], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

describe('citations', () => {
  it('finds files to check', () => {
    expect(tracked).toEqual(expect.arrayContaining(['README.md', 'docs/design.md']));
  });

  it('cites only documents that exist in the repository', () => {
    const dangling = tracked.flatMap((file) =>
      citations(file)
        .filter((cited) => !resolves(file, cited))
        .map((cited) => `${file} → ${cited}`),
    );
    expect(dangling).toEqual([]);
  });

  it('would catch a citation of a missing document', () => {
    expect(citations('docs/design.md')).toContain('mfa.md');
    expect(resolves('README.md', 'DESIGN.md')).toBe(false);
    expect(resolves('README.md', '../shared/DESIGN.md')).toBe(false);
    expect(resolves('README.md', 'docs/design.md')).toBe(true);
    // Folders too, from the backticks a document writes them in.
    expect(citations('README.md')).toContain('docker/dev-only/');
    expect(resolves('README.md', 'api/no-such-folder/')).toBe(false);
  });
});

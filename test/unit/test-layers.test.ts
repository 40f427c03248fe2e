import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const jestBin = path.join(root, 'node_modules', '.bin', 'jest');
const layers = ['unit', 'workflows', 'replay', 'e2e', 'system'];

/** What jest itself would run for one layer (its testMatch and ignore patterns applied). */
const listed = (layer: string): string[] =>
  (
    JSON.parse(
      execFileSync(jestBin, ['--listTests', '--json', '--selectProjects', layer], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as string[]
  ).map((f) => path.relative(root, f));

const allTests = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? allTests(path.join(dir, e.name))
        : e.name.endsWith('.test.ts')
          ? [path.relative(root, path.join(dir, e.name))]
          : [],
    );

describe('test layers (jest.config.js projects)', () => {
  const byLayer: Record<string, string[]> = Object.fromEntries(layers.map((l) => [l, listed(l)]));

  it('puts every test file in exactly one layer', () => {
    const owners = new Map<string, string[]>();
    for (const [layer, files] of Object.entries(byLayer))
      for (const f of files) owners.set(f, [...(owners.get(f) ?? []), layer]);
    const misplaced = allTests(path.join(root, 'test'))
      .map((f) => [f, owners.get(f) ?? []] as const)
      .filter(([, o]) => o.length !== 1)
      .map(([f, o]) => `${f}: ${o.length ? o.join(' + ') : 'no layer'}`);
    expect(misplaced).toEqual([]);
  }, 60_000);

  it('keeps the unit layer free of servers: no global setup, nothing that starts Temporal', () => {
    const config = require(path.join(root, 'jest.config.js')) as {
      projects: { displayName: string; globalSetup?: string }[];
    };
    expect(config.projects.find((p) => p.displayName === 'unit')?.globalSetup).toBeUndefined();
    const startsServer =
      /createDevServerEnv|createTimeSkippingEnv|startStack|startLauncher|workflowBundlePath/;
    const offenders = (byLayer.unit ?? [])
      .filter((f) => f !== path.relative(root, __filename))
      .filter((f) => startsServer.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

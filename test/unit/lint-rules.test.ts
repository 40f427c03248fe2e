import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** The project's own ESLint config (run as the CLI: jest's VM cannot load an .mjs config) on a snippet placed where real code lives. */
async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const eslint = path.join(root, 'node_modules/eslint/bin/eslint.js');
  const run = spawnSync(
    process.execPath,
    [eslint, '--stdin', '--stdin-filename', filePath, '--format', 'json'],
    {
      cwd: root,
      input: code,
      encoding: 'utf8',
    },
  );
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint rules on imports', () => {
  jest.setTimeout(60_000);

  it('refuses a package installed only as a transitive dependency', async () => {
    const ids = await ruleIds(
      "import x from '@temporalio/core-bridge';\nexport default x;\n",
      'lib/example.ts',
    );
    expect(ids).toContain('import-x/no-extraneous-dependencies');
  });

  it('refuses a devDependency in code that ships, allows it in tests', async () => {
    const code = "import Ajv from 'ajv';\nexport default Ajv;\n";
    expect(await ruleIds(code, 'api/example.ts')).toContain('import-x/no-extraneous-dependencies');
    expect(await ruleIds(code, 'test/unit/example.ts')).not.toContain('import-x/no-extraneous-dependencies');
  });

  it('keeps messages/ free of implementations: only the SDK and other messages, types included', async () => {
    const adapterType =
      "import type { Customer } from '../adapters/core-banking/types';\nexport type C = Customer;\n";
    expect(await ruleIds(adapterType, 'messages/example.ts')).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    const libValue = "import { mask } from '../lib/mask';\nexport const m = mask;\n";
    expect(await ruleIds(libValue, 'messages/example.ts')).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    const allowed =
      "import { defineUpdate } from '@temporalio/workflow';\nimport type { MfaState } from './mfa';\nexport const u = defineUpdate<MfaState>('u');\n";
    expect(await ruleIds(allowed, 'messages/example.ts')).toEqual([]);
  });

  it('accepts declared runtime dependencies', async () => {
    const code = "import { z } from 'zod';\nexport const s = z.string();\n";
    expect(await ruleIds(code, 'api/example.ts')).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Snippets placed where real code lives, linted in one ESLint run. */
const snippets = {
  transitive: ["import x from '@temporalio/core-bridge';\nexport default x;\n", 'lib/example.ts'],
  devDepShipped: ["import Ajv from 'ajv';\nexport default Ajv;\n", 'api/example.ts'],
  devDepInTest: ["import Ajv from 'ajv';\nexport default Ajv;\n", 'test/unit/example.ts'],
  messagesAdapterType: [
    "import type { Customer } from '../adapters/core-banking/types';\nexport type C = Customer;\n",
    'messages/example.ts',
  ],
  messagesLibValue: ["import { mask } from '../lib/mask';\nexport const m = mask;\n", 'messages/example.ts'],
  messagesAllowed: [
    "import { defineUpdate } from '@temporalio/workflow';\nimport type { MfaState } from './mfa';\nexport const u = defineUpdate<MfaState>('u');\n",
    'messages/example.ts',
  ],
  apiFromWorkflows: [
    "import { x } from '../../workflows/user-status/change-user-status';\nexport const t = x;\n",
    'api/user-status/example.ts',
  ],
  activitiesFromWorkflows: [
    "import { x } from '../workflows/user-status/change-user-status';\nexport const t = x;\n",
    'activities/example.ts',
  ],
  apiFromActivities: [
    "import { generateUsername } from '../../activities/username-policy';\nexport const g = generateUsername;\n",
    'api/registration/example.ts',
  ],
  activitiesFromApi: [
    "import { toProblem } from '../api/http/to-problem';\nexport const t = toProblem;\n",
    'activities/example.ts',
  ],
  clientsFromApi: [
    "import { businessProblem } from '../api/http/business-status';\nexport const b = businessProblem;\n",
    'clients/example.ts',
  ],
  clientsFromActivities: [
    "import { translated } from '../activities/failures';\nexport const t = translated;\n",
    'clients/example.ts',
  ],
  clientsFromWorkflows: [
    "import { x } from '../workflows/mfa/mfa-challenge';\nexport const t = x;\n",
    'clients/example.ts',
  ],
  clientsAllowed: [
    "import { mfaStateQuery } from '../messages/mfa';\nimport { hmacHex } from '../lib/server-key';\nimport { Refusal } from './refusal';\nexport const c = [mfaStateQuery, hmacHex, Refusal];\n",
    'clients/example.ts',
  ],
  apiFromClients: [
    "import { reserveSend } from '../../clients/quota';\nexport const r = reserveSend;\n",
    'api/mfa/example.ts',
  ],
  activitiesFromClients: [
    "import { consumeChallenge } from '../clients/mfa-challenge';\nexport const c = consumeChallenge;\n",
    'activities/example.ts',
  ],
  apiFromRules: [
    "import { statusTransition } from '../../rules/user-status';\nexport const t = statusTransition;\n",
    'api/user-status/example.ts',
  ],
  rulesNodeApi: [
    "import { randomInt } from 'node:crypto';\nexport const r = randomInt;\n",
    'rules/example.ts',
  ],
  rulesLib: ["import { mask } from '../lib/mask';\nexport const m = mask;\n", 'rules/example.ts'],
  rulesAllowed: [
    "import type { BusinessCode } from '../messages/failures';\nimport { constantTimeEqual } from './constant-time';\nexport const c: BusinessCode | typeof constantTimeEqual = constantTimeEqual;\n",
    'rules/example.ts',
  ],
  runtimeDep: ["import { z } from 'zod';\nexport const s = z.string();\n", 'api/example.ts'],
  routeByHand: [
    "import { Router } from 'express';\nconst router = Router();\nrouter.post('/x', (_q, r) => void r.end());\nexport default router;\n",
    'api/user-status/example.ts',
  ],
  routeMounted: [
    "import { Router } from 'express';\nimport { mount } from '../http/route';\nimport { routes } from '../routes';\nconst router = Router();\nmount(router, routes.lockUser, {}, (_q, r) => void r.end());\nrouter.use('/x', (_q, _r, next) => next());\nexport default router;\n",
    'api/user-status/example.ts',
  ],
  apiTalksToTemporal: [
    "import type { Client } from '@temporalio/client';\nexport const read = (c: Client) => c.workflow.getHandle('p').query('state');\n",
    'api/user-status/example.ts',
  ],
  apiSignals: [
    "import type { WorkflowHandle } from '@temporalio/client';\nexport const s = (h: WorkflowHandle) => h.signal('firstLogin');\n",
    'api/password-expiry/example.ts',
  ],
  clientsTalkToTemporal: [
    "import type { Client } from '@temporalio/client';\nexport const read = (c: Client) => c.workflow.getHandle('p').query('state');\n",
    'clients/example.ts',
  ],
} satisfies Record<string, [code: string, filePath: string]>;

/**
 * The project's own ESLint config, run in a child process (jest's VM cannot load an .mjs
 * config), once for every snippet: an ESLint start costs seconds.
 */
function lintAll(): Record<keyof typeof snippets, string[]> {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(await new Response(process.stdin).text());
    const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
    const out = {};
    for (const [name, [code, filePath]] of Object.entries(cases)) {
      const [r] = await eslint.lintText(code, { filePath });
      out[name] = (r?.messages ?? []).map((m) => m.ruleId ?? m.message);
    }
    process.stdout.write(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    input: JSON.stringify(snippets),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<keyof typeof snippets, string[]>;
}

describe('lint rules on imports', () => {
  const restricted = '@typescript-eslint/no-restricted-imports';
  const extraneous = 'import-x/no-extraneous-dependencies';
  let ids: ReturnType<typeof lintAll>;
  beforeAll(() => {
    ids = lintAll();
  }, 60_000);

  it('refuses a package installed only as a transitive dependency', () => {
    expect(ids.transitive).toContain(extraneous);
  });

  it('refuses a devDependency in code that ships, allows it in tests', () => {
    expect(ids.devDepShipped).toContain(extraneous);
    expect(ids.devDepInTest).not.toContain(extraneous);
  });

  it('keeps messages/ free of implementations: only the SDK and other messages, types included', () => {
    expect(ids.messagesAdapterType).toContain(restricted);
    expect(ids.messagesLibValue).toContain(restricted);
    expect(ids.messagesAllowed).toEqual([]);
  });

  it('keeps layers one-way: the API and activities take rules from rules/, never from workflows', () => {
    expect(ids.apiFromWorkflows).toContain(restricted);
    expect(ids.activitiesFromWorkflows).toContain(restricted);
    expect(ids.apiFromActivities).toContain(restricted);
    expect(ids.apiFromRules).toEqual([]);
    expect(ids.activitiesFromApi).toContain(restricted);
  });

  it('keeps clients/ below both: the API and activities call it, it imports neither (nor workflows)', () => {
    expect(ids.clientsFromApi).toContain(restricted);
    expect(ids.clientsFromActivities).toContain(restricted);
    expect(ids.clientsFromWorkflows).toContain(restricted);
    expect(ids.clientsAllowed).toEqual([]);
    expect(ids.apiFromClients).toEqual([]);
    expect(ids.activitiesFromClients).toEqual([]);
  });

  it('keeps rules/ pure: no Node APIs, no adapters or lib', () => {
    expect(ids.rulesNodeApi).toContain(restricted);
    expect(ids.rulesLib).toContain(restricted);
    expect(ids.rulesAllowed).toEqual([]);
  });

  it('registers routes only through mount(), from their one declaration', () => {
    expect(ids.routeByHand).toContain('no-restricted-syntax');
    expect(ids.routeMounted).toEqual([]);
  });

  it('keeps handlers off the Temporal client: every workflow conversation is a clients/ function', () => {
    expect(ids.apiTalksToTemporal).toContain('no-restricted-syntax');
    expect(ids.apiSignals).toContain('no-restricted-syntax');
    expect(ids.clientsTalkToTemporal).toEqual([]);
  });

  it('accepts declared runtime dependencies', () => {
    expect(ids.runtimeDep).toEqual([]);
  });
});

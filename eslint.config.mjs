// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';

// Node built-ins and I/O clients that must never reach deterministic workflow code.
const nodeOnly = [
  'fs',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'os',
  'path',
  'pino',
  'express',
  'jose',
].flatMap((m) => [m, `node:${m}`, `${m}/*`]);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.data/',
      '.tools/',
      '.test-results/',
      'test/artifacts/',
      'bench/results/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Every package the code imports is declared; what ships (the Docker image installs
    // `dependencies` only) imports no devDependency.
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          devDependencies: ['test/**', 'bench/**', 'scripts/**', '**/*.config.*', '**/*.mjs', '**/*.js'],
          optionalDependencies: false,
          peerDependencies: false,
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'messages/**/*.ts'],
    rules: {
      // Types may come from anywhere (they are erased); values must stay deterministic.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.map((name) => ({
            name,
            message: 'Workflows are deterministic: no Node APIs or I/O.',
          })),
          patterns: [
            {
              // lib/mask and lib/failure-chain are pure code without imports, safe in the sandbox.
              group: [
                '**/activities/*',
                '**/api/**',
                '**/adapters/**',
                '**/worker/**',
                '**/lib/**',
                '!**/lib/mask',
                '!**/lib/failure-chain',
              ],
              allowTypeImports: true,
              message: 'Workflows import activity types only; side effects belong in activities.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use the SDK uuid4() or pass randomness from an activity.',
        },
      ],
    },
  },
  {
    // The contract between the API and the workflows depends on no implementation, types included.
    files: ['messages/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@temporalio/|\\./)',
              message: 'messages/ imports nothing but the Temporal SDK and other messages.',
            },
          ],
        },
      ],
    },
  },
  {
    // Rules are pure and written once: workflows, activities and the API all import them.
    files: ['rules/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./messages/|libphonenumber-js|@zxcvbn-ts/)',
              message: 'rules/ imports only other rules, messages/ and pure libraries: no I/O, no Node APIs.',
            },
          ],
        },
      ],
    },
  },
  {
    // One-way layers: the API and the activities share rules/ and clients/, never workflow code.
    files: ['api/**/*.ts', 'activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**', '**/api', '**/api/**'],
              message:
                'Import the rule from rules/, the contract from messages/ or the conversation from clients/: not workflow or API code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Each conversation with a workflow, written once for the API and the activities: it
    // answers domain results and typed refusals (the API's toProblem maps them to HTTP).
    files: ['clients/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/api',
                '**/api/**',
                '**/activities',
                '**/activities/**',
                '**/workflows',
                '**/workflows/**',
                '**/worker',
                '**/worker/**',
                '**/adapters',
                '**/adapters/**',
              ],
              message:
                'clients/ talks to workflows through messages/: no API, activity, workflow, worker or adapter code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**', '**/activities', '**/activities/**'],
              message:
                'The API starts and asks workflows; it shares rules/ and messages/, never workflow or activity code.',
            },
          ],
        },
      ],
      // A route is declared once (api/routes.ts) and registered by mount(), so the OpenAPI
      // document, its guard and its validation all come from that one declaration.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(get|post|put|patch|delete|all)$/][callee.object.name=/^(router|app)$/]',
          message: 'Declare the route in api/routes.ts and register it with mount() (api/http/route.ts).',
        },
        {
          // Handlers call one client function: every conversation with a workflow is in clients/.
          selector:
            'MemberExpression[property.name=/^(workflow|workflowService|schedule|withDeadline|getHandle|executeUpdate|startUpdate|signalWithStart|executeUpdateWithStart)$/], CallExpression[callee.property.name=/^(signal|query)$/]',
          message: 'Talk to Temporal through a clients/ function (one file per workflow conversation).',
        },
      ],
    },
  },
  {
    // mount() itself; and the metrics listener, which is not the API (no document, its own port).
    files: ['api/http/route.ts', 'api/metrics.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
);

/**
 * Tests in layers, each a jest project (docs/testing.md). `npm test` runs them all;
 * `npm run test:<layer>` runs one. A layer's global setup runs only when one of its
 * tests does, so `test:unit` provisions nothing and starts no server.
 * test/unit/test-layers.test.ts fails when a test file belongs to no layer, or to two.
 * @type {import('jest').Config}
 */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
};
const under = (...dirs) => dirs.map((d) => `<rootDir>/test/${d}/**/*.test.ts`);
const files = (...names) => names.map((n) => `<rootDir>/test/${n}.test.ts`);

/** Tests that run the whole stack as `npm start` does, or a real part from Debian or Go. */
const system = [
  ...under('chaos', 'ui', 'compose', 'metrics', 'provision', 'bench'),
  ...files('sms/kannel', 'e2e/*launcher*', 'e2e/jaeger'),
];

module.exports = {
  testTimeout: 60_000,
  // Suites share one dev server (e2e) and one prebuilt workflow bundle: one at a time.
  maxWorkers: 1,
  projects: [
    {
      ...base,
      displayName: 'unit',
      // Pure logic and in-process parts (simulator, SMTP server, webhook receivers): no
      // provisioned tool, no Temporal server.
      testMatch: under('unit', 'docs', 'simulator', 'webhooks', 'email', 'sms', 'adapters'),
      testPathIgnorePatterns: ['/node_modules/', '/test/sms/kannel\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'workflows',
      // Workflow code on Temporal's time-skipping test server.
      testMatch: under('workflows'),
      globalSetup: '<rootDir>/test/setup/workflow-bundle.ts',
    },
    {
      ...base,
      displayName: 'replay',
      testMatch: under('replay'),
      globalSetup: '<rootDir>/test/setup/workflow-bundle.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      // HTTP → API → Temporal → real worker → simulator, on one dev server for the run,
      // a namespace per suite (test/setup/e2e-server.ts).
      testMatch: [...under('e2e', 'api'), ...files('chaos/bad-input')],
      testPathIgnorePatterns: ['/node_modules/', '/test/e2e/([^/]*launcher[^/]*|jaeger)\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/setup/e2e-setup.ts',
      globalTeardown: '<rootDir>/test/setup/e2e-teardown.ts',
    },
    {
      ...base,
      displayName: 'system',
      testMatch: system,
      testPathIgnorePatterns: ['/node_modules/', '/test/chaos/bad-input\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/setup/workflow-bundle.ts',
    },
  ],
};

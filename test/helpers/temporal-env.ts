import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import { devServerDynamicConfigArgs } from '../../lib/temporal-tuning';
import { E2E_SERVER_ENV, temporalCliPath, testServerPath } from '../setup/tools';

let runtimeInstalled = false;
/** Keeps the SDK's own logs to warnings so test output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another suite in this process
  }
}

/** Temporal's Java time-skipping test server, from scripts/provision.sh (no download). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath } },
  });
  // Workflows upsert our search attributes; the test server wants them registered too.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((k) => [
        k.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

let namespaces = 0;

/** A namespace of its own on the e2e layer's shared server, with our search attributes. */
async function freshNamespace(address: string): Promise<string> {
  const suite = path.basename(expect.getState().testPath ?? 'suite', '.test.ts');
  const namespace = `${suite}-${process.pid}-${++namespaces}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.map((k) => [
          k.name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  } finally {
    await connection.close();
  }
  return namespace;
}

/**
 * The Temporal CLI dev server (in-memory), from scripts/provision.sh (no download):
 * under the e2e layer, the run's one server (test/setup/e2e-setup.ts) with a fresh
 * namespace per call; else a server of the suite's own. With TEMPORAL_TEST_SERVER_ADDRESS
 * (and TEMPORAL_TEST_SERVER_NAMESPACE), an existing server whose namespace has the search
 * attributes registered (scripts/chaos/postgres-topology.ts runs the e2e suites that way).
 */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const existing = process.env.TEMPORAL_TEST_SERVER_ADDRESS;
  if (existing)
    return TestWorkflowEnvironment.createFromExistingServer({
      address: existing,
      namespace: process.env.TEMPORAL_TEST_SERVER_NAMESPACE ?? 'default',
    });
  const shared = process.env[E2E_SERVER_ENV];
  if (shared)
    return TestWorkflowEnvironment.createFromExistingServer({
      address: shared,
      namespace: await freshNamespace(shared),
    });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath },
      ip: '127.0.0.1',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'json', level: 'error' },
      // Tuned as npm start runs it (lib/temporal-tuning.ts), so the tests meet the same server.
      extraArgs: devServerDynamicConfigArgs(),
    },
  });
}

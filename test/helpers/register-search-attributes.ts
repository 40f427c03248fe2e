import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';

/**
 * Registers the project's search attributes on a time-skipping test server (the dev
 * server gets them at start), so workflows that upsert them can complete tasks.
 * Registering twice is harmless.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.map((k) => [
          k.name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  } catch (e) {
    if (!/already exists|already registered/i.test(String((e as Error).message))) throw e;
  }
}

import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { startOnboarding } from '../../api/onboarding/start';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import type { OnboardIbUserInput } from '../../messages/onboarding';
import { E2E_SERVER_ENV } from '../setup/tools';

/**
 * Review of integ (RequestKey): a production namespace upgraded from main has the five
 * search attributes main registered, not RequestKey. docs/operations.md says nothing of
 * registering it, /readyz does not check it. Every idempotent start then fails.
 */
describe('review: a namespace registered before RequestKey (the upgrade path)', () => {
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    const address = process.env[E2E_SERVER_ENV] as string;
    const namespace = `review-requestkey-${process.pid}`;
    const admin = await Connection.connect({ address });
    await admin.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    // main's attributes: everything but RequestKey.
    await admin.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.filter((k) => k.name !== 'RequestKey').map((k) => [
          k.name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    await admin.close();
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
  });

  afterAll(async () => {
    await connection?.close();
  });

  test('an onboarding start (as POST /open-user-ib makes it) still starts', async () => {
    const input = {
      requestId: randomUUID(),
      customerId: '700123',
      channel: 'MB',
      acceptedDisclosures: ['TERMS'],
    } as unknown as OnboardIbUserInput;
    const started = await startOnboarding(client, 'review-no-worker', input, 'digest', {
      startedBy: 'review',
    });
    expect(started.replayed).toBe(false);
  });
});

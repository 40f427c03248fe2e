import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ownRunQuery, startIdempotent, type IdempotentStartOptions } from '../../clients/process-start';
import { KeyReused } from '../../clients/refusal';
import { createDevServerEnv } from '../helpers/temporal-env';

/**
 * A start under an idempotency key finds the run that key started, also an old one, by a
 * bounded visibility lookup: not by listing every run the entity ever had (issue #27, defect
 * 11). Runs from before the RequestKey attribute are still found, by a lookup of their own.
 * Real dev server; no worker is needed, as each run is terminated once started, which
 * leaves the entity free for the next request's run.
 */
describe('idempotent start: a key finds its own run in one bounded lookup', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  /** Every visibility list the starts made, and how many executions each one yielded. */
  const lists: { query: string; yielded: number }[] = [];

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    const list = client.workflow.list.bind(client.workflow);
    jest.spyOn(client.workflow, 'list').mockImplementation((options) => {
      const seen = { query: options?.query ?? '', yielded: 0 };
      lists.push(seen);
      const inner = list(options);
      return Object.assign(Object.create(inner) as typeof inner, {
        async *[Symbol.asyncIterator]() {
          for await (const run of inner) {
            seen.yielded++;
            yield run;
          }
        },
      });
    });
  }, 120_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await env?.teardown();
  });

  const entity = `lookup-entity-${Date.now()}`;
  const request = (n: number): IdempotentStartOptions => ({
    // No worker polls this queue: the run only has to exist (and then end).
    workflowType: 'NoSuchWorkflow',
    workflowId: entity,
    taskQueue: 'no-worker-polls-this',
    args: [],
    requestId: `request-key-${n}`,
    digest: `body-${n}`,
    starter: {},
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    searchAttributes: [],
    staticSummary: 'lookup test',
    staticDetails: 'lookup test',
    inFlight: () => new Error('in flight'),
  });

  const RUNS = 6;
  const runIds: string[] = [];
  const legacy = { ...request(-1), requestId: 'legacy-request-key', digest: 'legacy-body' };
  let legacyRunId = '';

  it('has a run from before RequestKey: its memo names the key, no attribute does', async () => {
    const handle = await client.workflow.start(legacy.workflowType, {
      workflowId: entity,
      taskQueue: legacy.taskQueue,
      args: [],
      memo: { requestId: legacy.requestId, requestDigest: legacy.digest },
    });
    legacyRunId = (await handle.describe()).runId;
    await handle.terminate('next request');
  }, 60_000);

  it('starts one run per key on the same entity', async () => {
    for (let n = 0; n < RUNS; n++) {
      const started = await startIdempotent(client, request(n));
      expect(started.replayed).toBe(false);
      const { runId } = await started.handle.describe();
      runIds.push(runId);
      await client.workflow.getHandle(entity, runId).terminate('next request');
    }
    expect(new Set(runIds).size).toBe(RUNS);
  }, 120_000);

  it("replays the oldest run's key after further runs, reading one execution, not all of them", async () => {
    lists.length = 0;
    const replay = await startIdempotent(client, request(0));
    expect(replay.replayed).toBe(true);
    expect((await replay.handle.describe()).runId).toBe(runIds[0]);
    // The lookup names the key: only the run it started can match.
    expect(lists.map((l) => l.query)).toEqual([ownRunQuery(request(0))]);
    expect(lists[0]?.yielded).toBe(1);
  }, 60_000);

  it('still replays a key whose run predates RequestKey (runs without it are looked up apart)', async () => {
    lists.length = 0;
    const replay = await startIdempotent(client, legacy);
    expect(replay.replayed).toBe(true);
    expect((await replay.handle.describe()).runId).toBe(legacyRunId);
    // Neither lookup reads the runs that carry another key.
    expect(lists.reduce((n, l) => n + l.yielded, 0)).toBe(1);
  }, 60_000);

  it('still refuses the same key with another body', async () => {
    await expect(startIdempotent(client, { ...request(2), digest: 'another-body' })).rejects.toBeInstanceOf(
      KeyReused,
    );
  }, 60_000);

  it('starts a new run for a new key, finding nothing to replay in one bounded lookup', async () => {
    lists.length = 0;
    const fresh = await startIdempotent(client, request(RUNS));
    expect(fresh.replayed).toBe(false);
    expect(lists[0]?.query).toBe(ownRunQuery(request(RUNS)));
    // Only the one run from before RequestKey is read besides: none of the keyed runs.
    expect(lists.reduce((n, l) => n + l.yielded, 0)).toBe(1);
    await fresh.handle.terminate('done');
  }, 60_000);
});

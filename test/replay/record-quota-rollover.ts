/**
 * Records a destination quota that continued as new (test/replay/histories/
 * `MfaDestinationQuota.<tag>-continue-as-new.history.pb`): its first run, from start to the
 * continue-as-new, with the reservations that grew its history. Runs the real workflow on
 * the dev server like record.ts: `npx tsx test/replay/record-quota-rollover.ts <tag>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { MFA_QUOTA_WORKFLOW, reserveSendUpdate, type DestinationQuotaInput } from '../../messages/mfa-quota';
import { startStack } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

async function main(): Promise<void> {
  const tag = process.argv[2] ?? 'v2';
  if (!/^[a-z0-9-]+$/.test(tag)) throw new Error(`tag ${tag}: use a-z, 0-9 and -`);
  const stack = await startStack();
  try {
    const workflowId = 'mfa-quota-replay-rollover';
    const handle = await stack.client.workflow.start(MFA_QUOTA_WORKFLOW, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      // A short history budget, so a few reservations make it continue as new.
      args: [{ sends: [], continueAsNewAfterEvents: 12 } satisfies DestinationQuotaInput],
    });
    const firstRun = stack.client.workflow.getHandle(workflowId, handle.firstExecutionRunId, {
      followRuns: false,
    });
    const policy = { maxPerWindow: 100, windowMinutes: 10, maxPerDay: 1000 };
    for (let i = 0; (await firstRun.describe()).status.name === 'RUNNING'; i++) {
      if (i > 50) throw new Error('the quota never continued as new');
      await stack.client.workflow.getHandle(workflowId).executeUpdate(reserveSendUpdate, {
        args: [{ ref: `rollover-${i}`, policy }],
        updateId: `rollover-${i}`,
      });
    }
    const history = await firstRun.fetchHistory();
    const last = history.events?.at(-1);
    if (!last?.workflowExecutionContinuedAsNewEventAttributes)
      throw new Error('first run did not continue as new');
    // Decoded, as record.ts stores them: the replay worker has no payload keys.
    await decodeHistoryInPlace(history, stack.codec);
    const file = path.join(__dirname, 'histories', `${MFA_QUOTA_WORKFLOW}.${tag}-continue-as-new.history.pb`);
    fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    console.log(
      `recorded ${MFA_QUOTA_WORKFLOW} continue-as-new (${history.events?.length} events) → ${file}`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { ApplicationFailure, sleep } from '@temporalio/workflow';
import type { IbUserStatus } from '../../adapters/core-banking/types';

// Checkers usually act within minutes: poll often at first, then back off to hourly so a
// day-long wait costs a few dozen history events rather than thousands.
const POLL_SCHEDULE_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

/**
 * Maker-checker: a user created pending authorisation is awaited with durable timers
 * until a checker approves (ACTIVE) or rejects it, or the timeout passes.
 */
export async function awaitAuthorisation(
  readStatus: () => Promise<IbUserStatus>,
  timeoutMs: number,
): Promise<void> {
  // Date is workflow time here: the SDK makes it deterministic and replay-safe.
  const deadline = Date.now() + timeoutMs;
  for (let poll = 0; ; poll++) {
    const status = await readStatus();
    if (status === 'ACTIVE') return;
    if (status === 'REJECTED' || status === 'DEACTIVATED') {
      throw ApplicationFailure.create({
        type: 'AUTHORISATION_REJECTED',
        message: 'The IB/MB user was rejected at authorisation.',
        nonRetryable: true,
        details: [{ reason: status }],
      });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw ApplicationFailure.create({
        type: 'AUTHORISATION_TIMEOUT',
        message: `The IB/MB user was not authorised within ${Math.round(timeoutMs / 3_600_000)} h.`,
        nonRetryable: true,
      });
    }
    const interval = POLL_SCHEDULE_MS[Math.min(poll, POLL_SCHEDULE_MS.length - 1)] ?? 3_600_000;
    await sleep(Math.min(interval, remaining));
  }
}

import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Core banking (T24 via the ESB) for every process: business errors are
 * non-retryable ApplicationFailures thrown by the activities; anything else retries.
 */
export const coreBankingOptions: ActivityOptions = {
  // The HTTP client gives up after CORE_BANKING_TIMEOUT_MS (5 s default); this bounds one attempt.
  startToCloseTimeout: '30 seconds',
  // A core-banking outage delays a process for up to two hours before it gives up.
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

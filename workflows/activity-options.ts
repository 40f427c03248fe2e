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

/**
 * Self-registration's calls to its own entities (the identity attempt limit, the code's
 * challenge) through the Temporal client: quick attempts, retried for a few minutes, as the
 * customer is waiting for the answer.
 */
export const registrationEntityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** While the customer waits for the code: core banking must answer within minutes, not hours. */
export const registrationLookupOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
};

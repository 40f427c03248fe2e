import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Timeouts and retries per kind of dependency. Business errors are non-retryable
 * ApplicationFailures thrown by the activities; everything else retries with backoff.
 */
export const coreBankingOptions: ActivityOptions = {
  // The HTTP client gives up after CORE_BANKING_TIMEOUT_MS (5 s default); this bounds one attempt.
  startToCloseTimeout: '30 seconds',
  // A core-banking outage delays onboarding for up to two hours before it gives up.
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

export const webhookOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

export const smsOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Compensation must not give up easily: it undoes a user that exists. */
export const compensationOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

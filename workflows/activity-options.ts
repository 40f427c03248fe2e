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
 * Signal-with-start of a user's FirstTimePasswordExpiry (a Temporal call, not a side effect
 * the customer sees): short attempts, retried for up to an hour.
 */
export const passwordExpiryOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Credential notices (SMS, email): keyed by message id, so a retry sends nothing twice. */
export const credentialNoticeOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Webhooks to linked systems: one round; propagateToAll waits and repeats rounds itself. */
export const userStatusPropagationOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
};

/** Unseal, hash (scrypt per answer) and store in core banking: compute plus one ESB write. */
export const securityAnswersOptions: ActivityOptions = {
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

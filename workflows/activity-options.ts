import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Every activity's timeouts and retries, by the dependency it calls. Business errors are
 * non-retryable ApplicationFailures thrown by the activities; anything else retries with
 * backoff until the schedule-to-close bound.
 */

/** Core banking (T24 via the ESB), for every process. */
export const coreBankingOptions: ActivityOptions = {
  // The HTTP client gives up after CORE_BANKING_TIMEOUT_MS (5 s default); this bounds one attempt.
  startToCloseTimeout: '30 seconds',
  // A core-banking outage delays a process for up to two hours before it gives up.
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Core-banking contact lookup for a code (getIbUser → getCustomer); bounded by the code's expiry. */
export const lookupOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Compensation must not give up easily: it undoes a user that exists. */
export const compensationOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** The channel's webhook: a channel outage is waited out for hours. */
export const webhookOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/**
 * A message to the customer (first-time password SMS, notices of a change or of a
 * credential), under a stable message id. An SMTP server can tell a retry by its
 * Message-ID; an SMS gateway cannot: the adapter aborts with the attempt
 * (adapters/call-signal.ts), so a retry never overlaps the send before it.
 */
export const messageOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** A code's SMS / email; bounded by the code's expiry (untilExpiry). */
export const deliveryOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * Linked systems (a contact change, a user status): a few quick tries per round; longer
 * outages are waited out by the workflow itself (contact-change/propagate.ts,
 * propagateToAll), so ops see each failing round in the trail.
 */
export const propagationOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
  },
};

/** Pure computation in the worker (no dependency): a short leash, quick retries. */
export const computeOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Consuming an MFA challenge is a quick Temporal Update; its refusals are final. */
export const mfaConsumeOptions: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Update-with-start on a destination's or caller's quota workflow. */
export const quotaOptions: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};

/** The per-user lock entity (a query or an Update): on the verify path, so short and retried quickly. */
export const userLockOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' },
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

/**
 * Signal-with-start of a user's FirstTimePasswordExpiry (a Temporal call, not a side effect
 * the customer sees): short attempts, retried for up to an hour.
 */
export const passwordExpiryOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Unseal, hash (scrypt per answer) and store in core banking: compute plus one ESB write. */
export const securityAnswersOptions: ActivityOptions = {
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * A code is only useful while it is valid: every MFA activity gives up when the
 * challenge expires (scheduleToClose = the time left), whatever its own retry policy.
 */
export function untilExpiry(base: ActivityOptions, remainingMs: number): ActivityOptions {
  return { ...base, scheduleToCloseTimeout: Math.max(1_000, remainingMs) };
}

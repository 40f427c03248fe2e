import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Every activity's timeouts and retries, by the dependency it calls. Business errors are
 * non-retryable ApplicationFailures thrown by the activities; anything else retries with
 * backoff until the schedule-to-close bound.
 */

/**
 * Core banking (T24 via the ESB), for every process nobody waits on (security answers
 * included: their scrypt hashing takes well under a second of the attempt).
 */
export const coreBankingOptions: ActivityOptions = {
  // The HTTP client gives up after CORE_BANKING_TIMEOUT_MS (5 s default); this bounds one attempt.
  startToCloseTimeout: '30 seconds',
  // A core-banking outage delays a process for up to two hours before it gives up.
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * Core banking while a caller waits (a code's contacts, a registration's identity check, a
 * contact-info read): quicker retries, minutes not hours. Callers bound it further (a code
 * by its expiry, a read by its own budget).
 */
export const lookupOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Core banking, on purpose apart: compensation must not give up easily (it undoes a user that exists). */
export const compensationOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** Linked systems: the onboarding channel's webhook, whose outage is waited out for hours. */
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

/** SMS / email, on purpose apart: a code's, which the customer waits for, retries faster, bounded by its expiry (untilExpiry). */
export const deliveryOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * Linked systems, on purpose apart from the channel's webhook: a few quick tries per round; longer
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

/**
 * A quick Update on a Temporal entity (consuming an MFA challenge, update-with-start on a
 * quota workflow): short attempts, quick retries, refusals final; a code's send path bounds
 * it by the code's expiry.
 */
export const entityUpdateOptions: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};

/** A Temporal entity, on purpose apart: the per-user lock (a query or an Update) is on the verify path, so shorter still. */
export const userLockOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' },
};

/**
 * Temporal entities, on purpose apart: self-registration's calls (the identity attempt
 * limit, the code's challenge) include waiting for the code's first delivery (an SMS
 * gateway's answer), so an attempt gets longer; retried for a few minutes while the
 * customer waits.
 */
export const registrationEntityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/**
 * A Temporal entity, on purpose apart: signal-with-start of a user's FirstTimePasswordExpiry
 * (not a side effect the customer sees, nobody waits): short attempts, retried for up to an hour.
 */
export const passwordExpiryOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * A code is only useful while it is valid: every MFA activity gives up when the
 * challenge expires (scheduleToClose = the time left), whatever its own retry policy.
 */
export function untilExpiry(base: ActivityOptions, remainingMs: number): ActivityOptions {
  return { ...base, scheduleToCloseTimeout: Math.max(1_000, remainingMs) };
}

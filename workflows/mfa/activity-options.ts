import type { ActivityOptions } from '@temporalio/workflow';

/**
 * A code is only useful while it is valid: every MFA activity gives up when the
 * challenge expires (scheduleToClose = the time left), whatever its own retry policy.
 */
export function untilExpiry(base: ActivityOptions, remainingMs: number): ActivityOptions {
  return { ...base, scheduleToCloseTimeout: Math.max(1_000, remainingMs) };
}

/** Core-banking contact lookup (getIbUser → getCustomer). */
export const lookupOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Update-with-start on the destination's quota workflow. */
export const quotaOptions: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};

/** SMS / email delivery. */
export const deliveryOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** The per-user lock entity (a query or an Update): on the verify path, so short and retried quickly. */
export const userLockOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' },
};

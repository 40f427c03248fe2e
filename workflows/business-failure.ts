import { ApplicationFailure } from '@temporalio/workflow';

/**
 * A business outcome as workflows end with it: a non-retryable ApplicationFailure typed by
 * its code, the extensions in its first detail (the API maps both to problem+json).
 */
export const businessFailure = (type: string, message: string, details: Record<string, unknown> = {}) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });

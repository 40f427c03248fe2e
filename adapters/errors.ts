/**
 * Errors adapters throw. A BusinessError is a definite answer from the other side
 * (retrying cannot change it); anything else is treated as transient and retried.
 */
export class BusinessError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BusinessError';
  }
}

/** A transient failure worth retrying (timeouts, 5xx, connection refused). */
export class TransientError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Core banking answered that the user or customer does not exist. */
export const isNotFound = (e: unknown): boolean =>
  e instanceof BusinessError && ['USER_NOT_FOUND', 'CUSTOMER_NOT_FOUND', 'NOT_FOUND'].includes(e.code);

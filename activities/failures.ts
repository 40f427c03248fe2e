import { ApplicationFailure } from '@temporalio/activity';
import { BusinessError } from '../adapters/errors';
import { Refusal } from '../clients/refusal';

/**
 * Adapters speak BusinessError / TransientError; Temporal speaks ApplicationFailure.
 * Business errors become non-retryable failures typed by their code; the rest are
 * rethrown untouched and retried by the activity's retry policy.
 */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof BusinessError) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: true,
      details: [err.details],
    });
  }
  // Another workflow's refusal (through clients/): retrying cannot change its answer.
  if (err instanceof Refusal) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: true,
      details: [err.details],
    });
  }
  return err;
}

export async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asActivityFailure(err);
  }
}

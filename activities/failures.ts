import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { BusinessError } from '../adapters/errors';

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
  return err;
}

export async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asActivityFailure(err);
  }
}

/**
 * A business refusal from an Update on another workflow (its validator or handler), as
 * this activity's own non-retryable failure: retrying cannot change the other's answer.
 */
export function updateRefusal(e: unknown): ApplicationFailure | undefined {
  if (!(e instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return undefined;
  return ApplicationFailure.create({
    type: cause.type,
    message: cause.message,
    nonRetryable: true,
    details: cause.details ? [...cause.details] : [],
  });
}

/**
 * An error and its causes, outermost first: the one walker of `cause` chains. Temporal
 * wraps what happened (an activity's ApplicationFailure, a gRPC status) in ActivityFailure,
 * ChildWorkflowFailure, WorkflowFailedError or WorkflowUpdateFailedError, a few levels up.
 * No imports, so workflow code may use it too.
 */
const MAX_DEPTH = 8;

export function* causeChain(err: unknown): Generator<object> {
  let e = err;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < MAX_DEPTH; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** The first error in the chain that `match` accepts. */
export function findCause<T extends object>(err: unknown, match: (e: object) => e is T): T | undefined;
export function findCause(err: unknown, match: (e: object) => boolean): object | undefined;
export function findCause(err: unknown, match: (e: object) => boolean): object | undefined {
  for (const e of causeChain(err)) if (match(e)) return e;
  return undefined;
}

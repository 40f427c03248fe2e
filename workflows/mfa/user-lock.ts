import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  recordFailureUpdate,
  recordSuccessUpdate,
  userOtpLockQuery,
  type RecordAttemptArgs,
  type UserOtpLockInput,
  type UserOtpLockView,
} from '../../messages/mfa-user-lock';
import { UserOtpLock } from './user-lock-state';

const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/**
 * The OTP lockout of one user (id mfa-user-<userId>), shared by all of the user's
 * challenges: wrong codes in a row, and the lock they cause. Updates are serialized by
 * Temporal, so concurrent verifies of several challenges count on one timeline. While
 * locked both records are rejected by their validator (USER_OTP_LOCKED, no history); the
 * lock's end is a durable timer. The run ends when there is nothing to remember.
 */
export async function MfaUserOtpLock(input: UserOtpLockInput): Promise<UserOtpLockView> {
  const lock = new UserOtpLock(input.state);
  let records = 0;

  const validator = (args: RecordAttemptArgs) => {
    const now = Date.now();
    lock.tick(now);
    // A retried record (same ref) is answered again, even if it was the one that locked.
    if (lock.seen(args.ref)) return;
    const retryAfterSeconds = lock.retryAfterSeconds(now);
    if (retryAfterSeconds === null) return;
    throw ApplicationFailure.create({
      type: 'USER_OTP_LOCKED',
      message: `Too many wrong codes for this user; retry in ${retryAfterSeconds} s.`,
      nonRetryable: true,
      details: [{ retryAfterSeconds, lockedUntil: lock.view().lockedUntil }],
    });
  };
  setHandler(
    recordFailureUpdate,
    (args) => {
      records++;
      return lock.fail(args.ref, Date.now(), args.policy);
    },
    { validator },
  );
  setHandler(
    recordSuccessUpdate,
    (args) => {
      records++;
      return lock.succeed(args.ref, Date.now());
    },
    { validator },
  );
  setHandler(userOtpLockQuery, () => lock.view());

  for (;;) {
    const seen = records;
    const next = lock.nextChangeAt();
    if (next === null) await condition(() => records !== seen);
    else await condition(() => records !== seen, Math.max(1, next - Date.now()));
    lock.tick(Date.now());
    if (lock.isIdle()) {
      const idle = records;
      await condition(allHandlersFinished);
      // A record that arrived meanwhile keeps the run going.
      if (records === idle && lock.isIdle()) return lock.view();
      continue;
    }
    if (historyTooLong(input)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof MfaUserOtpLock>({ ...input, state: lock.snapshot() });
    }
  }
}

function historyTooLong(input: UserOtpLockInput): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historyLength > (input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS)
  );
}

import { ApplicationFailure } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  MFA_USER_LOCK_WORKFLOW,
  preloginLockKey,
  recordFailureUpdate,
  recordSuccessUpdate,
  userKey,
  userLockWorkflowId,
  userOtpLockQuery,
  type UserOtpLockInput,
  type UserOtpLockPolicy,
  type UserOtpLockView,
} from '../messages/mfa-user-lock';

export interface MfaUserLockDeps {
  /** For the per-user lock entity workflows. */
  temporal: { client: Client; taskQueue: string };
  userOtpLock: UserOtpLockPolicy;
}

/**
 * `prelogin`: the challenge is concealed (a pre-login caller not bound to the user). Its
 * wrong codes count on that caller's pre-login lock of the user (preloginLockKey with
 * `callerDigest`), never on the lock the user's own channels check nor on another caller's,
 * so such a caller locks only itself: not the user's LOGIN codes, not the user's own app.
 */
export interface RecordUserOtpAttemptInput extends PreloginLockArgs {
  userId: string;
  /** Unique per verify: the Update id, so a retried record counts once. */
  ref: string;
  correct: boolean;
}

export interface PreloginLockArgs {
  prelogin?: boolean;
  /** The concealed challenge's caller (MfaChallengeInput.callerDigest); absent on older runs. */
  callerDigest?: string;
}

/** Signatures as the MfaChallenge workflow sees them. */
export interface MfaUserLockActivities {
  /**
   * The user's lock as it stands; the workflow compares lockedUntil with its own clock.
   * `prelogin` (concealed): the later of the user's lock and the caller's pre-login lock of it.
   */
  checkUserOtpLock(input: { userId: string } & PreloginLockArgs): Promise<UserOtpLockView>;
  /** Records a verify on the user's entity; fails USER_OTP_LOCKED (non-retryable) while locked. */
  recordUserOtpAttempt(input: RecordUserOtpAttemptInput): Promise<UserOtpLockView>;
}

const UNLOCKED: UserOtpLockView = { consecutiveFailures: 0, lockedUntil: null };

export function createMfaUserLockActivities(deps: MfaUserLockDeps): MfaUserLockActivities {
  const { client } = deps.temporal;
  const lockOf = async (key: string): Promise<UserOtpLockView> => {
    try {
      // A query writes no history; no entity (never a wrong code, or forgotten) is no lock.
      return await client.workflow.getHandle(userLockWorkflowId(key)).query(userOtpLockQuery);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return UNLOCKED;
      throw e;
    }
  };
  return {
    async checkUserOtpLock({ userId: given, prelogin, callerDigest }) {
      const userId = userKey(given);
      if (!prelogin) return lockOf(userId);
      // Concealed: no code while either lock holds (the user's own is only read here).
      const [own, pre] = await Promise.all([lockOf(userId), lockOf(preloginLockKey(userId, callerDigest))]);
      const until = (v: UserOtpLockView) => Date.parse(v.lockedUntil ?? '') || 0;
      return until(pre) > until(own) ? pre : own;
    },

    async recordUserOtpAttempt({ userId: given, prelogin, callerDigest, ref, correct }) {
      const userId = userKey(given);
      const workflowId = userLockWorkflowId(prelogin ? preloginLockKey(userId, callerDigest) : userId);
      const args = [{ ref, policy: deps.userOtpLock }] as [{ ref: string; policy: UserOtpLockPolicy }];
      try {
        if (correct) {
          // A right code only resets a count that exists: no entity is started for it.
          return await client.workflow
            .getHandle(workflowId)
            .executeUpdate(recordSuccessUpdate, { args, updateId: ref });
        }
        return await client.workflow.executeUpdateWithStart(recordFailureUpdate, {
          args,
          // Temporal de-duplicates a retried record by its update id.
          updateId: ref,
          startWorkflowOperation: new WithStartWorkflowOperation(MFA_USER_LOCK_WORKFLOW, {
            workflowId,
            taskQueue: deps.temporal.taskQueue,
            args: [{} satisfies UserOtpLockInput],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      } catch (e) {
        if (correct && e instanceof WorkflowNotFoundError) return UNLOCKED;
        throw lockRefusal(e) ?? e;
      }
    },
  };
}

/** USER_OTP_LOCKED from the entity's validator, as this activity's non-retryable failure. */
function lockRefusal(e: unknown): ApplicationFailure | undefined {
  if (!(e instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'USER_OTP_LOCKED') return undefined;
  return ApplicationFailure.create({
    type: cause.type,
    message: cause.message,
    nonRetryable: true,
    details: cause.details ? [...cause.details] : [],
  });
}

import { ApplicationFailure } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  MFA_USER_LOCK_WORKFLOW,
  recordFailureUpdate,
  recordSuccessUpdate,
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

export interface RecordUserOtpAttemptInput {
  userId: string;
  /** Unique per verify: the Update id, so a retried record counts once. */
  ref: string;
  correct: boolean;
}

/** Signatures as the MfaChallenge workflow sees them. */
export interface MfaUserLockActivities {
  /** The user's lock as it stands; the workflow compares lockedUntil with its own clock. */
  checkUserOtpLock(input: { userId: string }): Promise<UserOtpLockView>;
  /** Records a verify on the user's entity; fails USER_OTP_LOCKED (non-retryable) while locked. */
  recordUserOtpAttempt(input: RecordUserOtpAttemptInput): Promise<UserOtpLockView>;
}

const UNLOCKED: UserOtpLockView = { consecutiveFailures: 0, lockedUntil: null };

export function createMfaUserLockActivities(deps: MfaUserLockDeps): MfaUserLockActivities {
  const { client } = deps.temporal;
  return {
    async checkUserOtpLock({ userId }) {
      try {
        // A query writes no history; no entity (never a wrong code, or forgotten) is no lock.
        return await client.workflow.getHandle(userLockWorkflowId(userId)).query(userOtpLockQuery);
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) return UNLOCKED;
        throw e;
      }
    },

    async recordUserOtpAttempt({ userId, ref, correct }) {
      const workflowId = userLockWorkflowId(userId);
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

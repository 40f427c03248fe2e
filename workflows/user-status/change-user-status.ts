import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { LinkedSystemActivities } from '../../activities/linked-systems';
import type { CredentialNoticeKind } from '../../activities/notice-templates';
import type {
  ChangeUserStatusInput,
  ChangeUserStatusResult,
  UserStatusAction,
} from '../../messages/user-status';
import { coreBankingOptions, propagationOptions } from '../activity-options';
import { propagateToAll } from '../contact-change/propagate';
import { notifyContacts } from '../credential-notices';
import { failureCode, ProcessTrail } from '../process-trail';
import { statusTransition } from '../../rules/user-status';

const core = proxyActivities<CoreBankingUserActivities>(coreBankingOptions);
const linked = proxyActivities<LinkedSystemActivities>(propagationOptions);

const NOTICE: Record<UserStatusAction, CredentialNoticeKind> = {
  LOCK: 'USER_LOCKED',
  UNLOCK: 'USER_UNLOCKED',
  CLOSE: 'USER_CLOSED',
};

/**
 * Lock, unlock or close an IB/MB user: look up → check the transition → core banking (close
 * deactivates, never deletes) → linked systems in parallel, and the customer's contacts on
 * file. The caller and reason are in the trail and in core banking's reason.
 */
export async function ChangeUserStatus(input: ChangeUserStatusInput): Promise<ChangeUserStatusResult> {
  const trail = new ProcessTrail('CHANGE_USER_STATUS');
  const processId = workflowInfo().workflowId;
  const sideEffectRef = `${processId}.${workflowInfo().firstExecutionRunId}`;
  trail.record('REQUESTED', 'COMPLETED', `${input.action} by ${input.requestedBy}: ${input.reason}`);
  try {
    const owner = await trail.step(
      'LOOKUP',
      () => core.lookupCredentialOwner({ userId: input.userId }),
      (o) => (o.found ? `customer ${o.customerId}; status ${o.status}` : 'not found'),
    );
    if (!owner.found || !owner.status) {
      throw ApplicationFailure.create({
        type: 'USER_NOT_FOUND',
        message: 'No IB/MB user with that id.',
        nonRetryable: true,
      });
    }
    const from = owner.status;
    const verdict = statusTransition(from, input.action);
    const result = (
      userStatus: ChangeUserStatusResult['userStatus'],
      changed: boolean,
      propagatedTo: string[] = [],
      notifications: ChangeUserStatusResult['notifications'] = [],
    ): ChangeUserStatusResult => ({
      processId,
      status: 'COMPLETED',
      userId: input.userId,
      action: input.action,
      previousStatus: from,
      userStatus,
      changed,
      propagatedTo,
      notifications,
    });
    if (verdict.kind === 'refuse') {
      throw ApplicationFailure.create({
        type: 'INVALID_STATUS_TRANSITION',
        message: verdict.message,
        nonRetryable: true,
        details: [{ userStatus: from, action: input.action }],
      });
    }
    if (verdict.kind === 'unchanged') {
      trail.finish('COMPLETED', `already ${from}`);
      return result(from, false);
    }

    const { status } = await trail.step(
      'UPDATE_CORE_BANKING',
      () =>
        core.applyUserStatus({
          userId: input.userId,
          action: input.action,
          reason: `${input.reason} (by ${input.requestedBy})`,
        }),
      (r) => `${from} → ${r.status}`,
    );
    const notified = notifyContacts(trail, owner, sideEffectRef, NOTICE[input.action]);
    let propagatedTo: string[];
    try {
      propagatedTo = await propagateToAll(trail, input.linkedSystems, (system) =>
        linked.propagateUserStatus({
          system,
          webhookId: `${sideEffectRef}.${system}`,
          userId: input.userId,
          customerId: owner.customerId,
          action: input.action,
          status,
        }),
      );
    } catch (err) {
      await notified.catch(() => undefined);
      throw err;
    }
    const notifications = await notified;
    trail.finish('COMPLETED', `${from} → ${status}`);
    return result(status, true, propagatedTo, notifications);
  } catch (err) {
    trail.finish('FAILED', failureCode(err));
    throw err;
  }
}

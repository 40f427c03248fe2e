import type { IbUserStatus, UserStatusAction } from '../messages/user-status';

export type TransitionVerdict =
  | { kind: 'apply'; to: IbUserStatus }
  /** Already there: nothing changes, nobody is told. */
  | { kind: 'unchanged' }
  | { kind: 'refuse'; message: string };

const TARGET: Record<UserStatusAction, IbUserStatus> = {
  LOCK: 'LOCKED',
  UNLOCK: 'ACTIVE',
  CLOSE: 'DEACTIVATED',
};

/**
 * Which status changes are allowed: lock an active user, unlock a locked one, close any
 * user that is not closed or rejected (a pending one included). Close is final.
 */
export function statusTransition(from: IbUserStatus, action: UserStatusAction): TransitionVerdict {
  const to = TARGET[action];
  if (from === to) return { kind: 'unchanged' };
  const allowed =
    (action === 'LOCK' && from === 'ACTIVE') ||
    (action === 'UNLOCK' && from === 'LOCKED') ||
    (action === 'CLOSE' && from !== 'REJECTED');
  return allowed
    ? { kind: 'apply', to }
    : { kind: 'refuse', message: `A ${from} user cannot be ${verb[action]}.` };
}

const verb: Record<UserStatusAction, string> = { LOCK: 'locked', UNLOCK: 'unlocked', CLOSE: 'closed' };

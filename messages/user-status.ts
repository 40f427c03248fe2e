import type { CredentialNotification } from './password-reset';

/**
 * The contract of ChangeUserStatus (POST /users/{userId}/lock|unlock|close): the status
 * changes in core banking, linked systems are told, the customer is notified. Close
 * deactivates, never deletes. One change per user at a time.
 */
export const USER_STATUS_WORKFLOW = 'ChangeUserStatus';

export const USER_STATUS_ACTIONS = ['LOCK', 'UNLOCK', 'CLOSE'] as const;
export type UserStatusAction = (typeof USER_STATUS_ACTIONS)[number];

/**
 * Who may do what: a lost phone is locked by the customer's channel or by the bank; only
 * the bank unlocks (it re-establishes who holds the account) and closes.
 */
export const USER_STATUS_SCOPES: Record<UserStatusAction, readonly string[]> = {
  LOCK: ['ib-users:write', 'institution-users:write'],
  UNLOCK: ['institution-users:write'],
  CLOSE: ['institution-users:write'],
};

/** The IB/MB user's status in core banking, as the process reports it. */
export type IbUserStatus = 'PENDING_AUTHORISATION' | 'ACTIVE' | 'LOCKED' | 'REJECTED' | 'DEACTIVATED';

export const userStatusProcessId = (userId: string): string => `status-${userId}`;

export interface ChangeUserStatusInput {
  requestId: string;
  userId: string;
  action: UserStatusAction;
  /** Free text for the audit trail and core banking; no secrets. */
  reason: string;
  /** The token subject that asked (audit trail, core banking's reason). */
  requestedBy: string;
  linkedSystems: string[];
}

export interface ChangeUserStatusResult {
  processId: string;
  status: 'COMPLETED';
  userId: string;
  action: UserStatusAction;
  previousStatus: IbUserStatus;
  userStatus: IbUserStatus;
  /** False when the user already had the target status (nothing was changed or sent). */
  changed: boolean;
  propagatedTo: string[];
  notifications: CredentialNotification[];
}

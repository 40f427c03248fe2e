import type { CredentialDeliveryChannel, DeliveryStatus, PasswordExpiryView } from './onboarding';

/**
 * The contract of ResetUserPassword (POST /reset-user-ib): a VERIFIED RESET_PASSWORD
 * challenge sent to the contacts on file is consumed once, a new first-time password is
 * set in core banking (the old one stops working) and delivered, its expiry timer restarts,
 * and the other contacts on file get a notice.
 */
export const RESET_PASSWORD_WORKFLOW = 'ResetUserPassword';

export const passwordResetProcessId = (userId: string): string => `reset-${userId}`;

export interface ResetUserPasswordInput {
  requestId: string;
  userId: string;
  /** The VERIFIED RESET_PASSWORD challenge this reset consumes (its key was checked by the API). */
  mfaServiceKey: string;
  credentialDelivery: CredentialDeliveryChannel;
  firstTimePasswordTtlMinutes: number;
}

export interface CredentialNotification {
  channel: 'SMS' | 'EMAIL';
  to: string;
  status: 'SENT';
}

export interface ResetUserPasswordResult {
  processId: string;
  status: 'COMPLETED';
  userId: string;
  credentialDelivery: { channel: CredentialDeliveryChannel; to: string; status: DeliveryStatus };
  passwordExpiry: PasswordExpiryView;
  /** Notices to the contacts on file that did not receive the password. */
  notifications: CredentialNotification[];
}

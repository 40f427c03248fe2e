import { defineUpdate } from '@temporalio/workflow';

/** A customer's postal address, as core banking holds it. */
export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  /** State or county (the seed's `state`). */
  state?: string;
  postalCode?: string;
  country: string;
}

/**
 * The contract between the API and the contact-change workflows: the customer's own
 * phone change (UpdateUserPhone, proven by an MFA challenge) and the institution's
 * contact-info update (UpdateContactInfo, Candescent-style). Both run one machinery.
 */
export const UPDATE_USER_PHONE_WORKFLOW = 'UpdateUserPhone';
export const UPDATE_CONTACT_INFO_WORKFLOW = 'UpdateContactInfo';

export type ContactField = 'phone' | 'email' | 'postalAddress';

export interface ContactChange {
  phone?: string;
  email?: string;
  postalAddress?: PostalAddress;
}

export interface UpdateUserPhoneInput {
  requestId: string;
  /** One of userId / customerId names the IB/MB user. */
  userId?: string;
  customerId?: string;
  newPhone: string;
  /** The VERIFIED UPDATE_PHONE challenge this update consumes (its key was checked by the API). */
  mfaServiceKey: string;
  /**
   * The VERIFIED STEP_UP challenge (sent to a factor already on file) this update also
   * consumes: a new number is a new authenticator. Absent only in runs started before it existed.
   */
  stepUpServiceKey?: string;
  /** Minutes the change waits, cancellable, before core banking is updated (0: none). */
  coolingOffMinutes?: number;
  /** Names of the linked systems to propagate to (resolved to endpoints by the worker). */
  linkedSystems: string[];
}

export interface UpdateContactInfoInput {
  requestId: string;
  customerId: string;
  change: ContactChange;
  linkedSystems: string[];
}

export interface Notification {
  channel: 'SMS' | 'EMAIL';
  to: string;
  status: 'SENT';
  kind: 'SECURITY_NOTICE' | 'CONFIRMATION';
}

export interface ContactChangeResult {
  processId: string;
  status: 'COMPLETED';
  customerId: string;
  userId: string | null;
  changed: ContactField[];
  /** Masked new values of what changed. */
  phone?: string;
  email?: string;
  propagatedTo: string[];
  notifications: Notification[];
}

export interface CancelPhoneChangeArgs {
  /** The token subject that cancels (audit trail). */
  cancelledBy: string;
}

export interface PhoneChangeCancelled {
  processId: string;
  status: 'CANCELLED';
}

/** Accepted only during the cooling-off window; the run then ends PHONE_CHANGE_CANCELLED. */
export const cancelPhoneChangeUpdate = defineUpdate<PhoneChangeCancelled, [CancelPhoneChangeArgs]>(
  'cancelPhoneChange',
);

export const phoneChangeProcessId = (userId: string): string => `phone-${userId}`;
export const contactChangeProcessId = (customerId: string): string => `contact-${customerId}`;

/** GET /customers/{customerId}/contact-info: a short read, run as a workflow (the API holds no core-banking client). */
export const READ_CONTACT_INFO_WORKFLOW = 'ReadContactInfo';

/** The customer's contacts as the read answers them: masked, never usable. */
export interface ContactInfoView {
  customerId: string;
  phoneNumber: string | null;
  emailAddress: string | null;
  postalAddress: { address1: string; city: string; country: string } | null;
}

/** Whether the customer exists, and its masked contacts when it does. */
export interface ContactInfoRead {
  found: boolean;
  contactInfo: ContactInfoView | null;
}

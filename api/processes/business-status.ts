import type { BusinessCode } from '../../messages/failures';
import { MFA_BUSINESS_STATUS } from '../mfa/statuses';

/** HTTP status and title for each business outcome (docs/design.md, "HTTP conventions"). */
export const BUSINESS_STATUS: Record<BusinessCode, { status: number; title: string }> = {
  CUSTOMER_NOT_FOUND: { status: 404, title: 'Customer not found' },
  CUSTOMER_NOT_ELIGIBLE: { status: 422, title: 'Customer not eligible' },
  ALREADY_REGISTERED: { status: 409, title: 'Already registered' },
  PHONE_MISMATCH: { status: 422, title: 'Phone does not match core banking' },
  DISCLOSURES_NOT_ACCEPTED: { status: 422, title: 'Required disclosures not accepted' },
  AUTHORISATION_REJECTED: { status: 422, title: 'User rejected at authorisation' },
  AUTHORISATION_TIMEOUT: { status: 422, title: 'User not authorised in time' },
  ONBOARDING_FAILED: { status: 502, title: 'Onboarding failed' },
  PHONE_UNCHANGED: { status: 409, title: 'Phone unchanged' },
  MFA_REQUIRED: { status: 403, title: 'MFA required' },
  MFA_NOT_VERIFIED: { status: 403, title: 'MFA not verified' },
  STEP_UP_REQUIRED: { status: 403, title: 'Step-up required' },
  PHONE_CHANGE_CANCELLED: { status: 409, title: 'Phone change cancelled' },
  UPDATE_IN_PROGRESS: { status: 409, title: 'Update in progress' },
  PROPAGATION_FAILED: { status: 502, title: 'Linked system did not acknowledge' },
  EMAIL_MISMATCH: { status: 422, title: 'Email does not match core banking' },
  INVALID_STATUS_TRANSITION: { status: 409, title: 'Status change not allowed' },
  CREDENTIALS_CHANGE_IN_PROGRESS: { status: 409, title: 'Change in progress' },
  ...MFA_BUSINESS_STATUS,
};

import { MFA_CODES } from './mfa';
import { REGISTRATION_CODES } from './registration';

/**
 * Business outcomes a process can end with (the API's own refusals are in
 * api/http/business-status.ts). Workflows throw them as non-retryable
 * ApplicationFailures whose `type` is the code and whose first detail carries the
 * extensions (e.g. `reason`, `required`); the API maps the code to an HTTP status.
 */
export const BUSINESS_CODES = [
  'CUSTOMER_NOT_FOUND',
  'CUSTOMER_NOT_ELIGIBLE',
  'ALREADY_REGISTERED',
  'PHONE_MISMATCH',
  'DISCLOSURES_NOT_ACCEPTED',
  'AUTHORISATION_REJECTED',
  'AUTHORISATION_TIMEOUT',
  'ONBOARDING_FAILED',
  'PHONE_UNCHANGED',
  'MFA_NOT_VERIFIED',
  'STEP_UP_REQUIRED',
  'PHONE_CHANGE_CANCELLED',
  'PROPAGATION_FAILED',
  'EMAIL_MISMATCH',
  'INVALID_STATUS_TRANSITION',
  'CREDENTIALS_CHANGE_IN_PROGRESS',
  'LINKED_CUSTOMER_NOT_RELATED',
  'SELF_SERVICE_USER_FAILED',
  ...MFA_CODES,
  ...REGISTRATION_CODES,
] as const;

export type BusinessCode = (typeof BUSINESS_CODES)[number];

export interface BusinessFailureDetails {
  [extension: string]: unknown;
}

export function isBusinessCode(code: string | undefined): code is BusinessCode {
  return !!code && (BUSINESS_CODES as readonly string[]).includes(code);
}

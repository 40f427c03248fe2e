import type { RefusalCode } from '../../clients/refusal';
import { ProblemError } from './problem';

/**
 * The one code → HTTP table (docs/design.md, "HTTP conventions"): every business outcome
 * a process ends with, every refusal of an MFA challenge, and the API's own refusals.
 */
export const BUSINESS_STATUS: Record<RefusalCode, { status: number; title: string }> = {
  CUSTOMER_NOT_FOUND: { status: 404, title: 'Customer not found' },
  CUSTOMER_NOT_ELIGIBLE: { status: 422, title: 'Customer not eligible' },
  ALREADY_REGISTERED: { status: 409, title: 'Already registered' },
  ONBOARDING_IN_PROGRESS: { status: 409, title: 'Onboarding in progress' },
  PHONE_MISMATCH: { status: 422, title: 'Phone does not match core banking' },
  LINKED_CUSTOMER_NOT_RELATED: { status: 422, title: 'Linked customer not related' },
  SELF_SERVICE_USER_FAILED: { status: 502, title: 'Self-service user creation failed' },
  DISCLOSURES_NOT_ACCEPTED: { status: 422, title: 'Required disclosures not accepted' },
  AUTHORISATION_REJECTED: { status: 422, title: 'User rejected at authorisation' },
  AUTHORISATION_TIMEOUT: { status: 422, title: 'User not authorised in time' },
  ONBOARDING_FAILED: { status: 502, title: 'Onboarding failed' },
  PHONE_UNCHANGED: { status: 409, title: 'Phone unchanged' },
  MFA_REQUIRED: { status: 403, title: 'MFA required' },
  MFA_NOT_VERIFIED: { status: 403, title: 'MFA not verified' },
  STEP_UP_REQUIRED: { status: 403, title: 'Step-up required' },
  PHONE_CHANGE_CANCELLED: { status: 409, title: 'Phone change cancelled' },
  NOT_CANCELLABLE: { status: 409, title: 'Not cancellable' },
  UPDATE_IN_PROGRESS: { status: 409, title: 'Update in progress' },
  PROPAGATION_FAILED: { status: 502, title: 'Linked system did not acknowledge' },
  IDENTITY_NOT_VERIFIED: { status: 422, title: 'Identity not verified' },
  IDENTITY_ATTEMPTS_EXCEEDED: { status: 429, title: 'Too many identity checks' },
  USERNAME_TAKEN: { status: 409, title: 'Username taken' },
  REGISTRATION_EXPIRED: { status: 410, title: 'Registration expired' },
  REGISTRATION_FAILED: { status: 502, title: 'Registration failed' },
  REGISTRATION_NOT_READY: { status: 409, title: 'Registration not ready' },
  REGISTRATION_IN_PROGRESS: { status: 409, title: 'Registration in progress' },
  EMAIL_MISMATCH: { status: 422, title: 'Email does not match core banking' },
  INVALID_STATUS_TRANSITION: { status: 409, title: 'Status change not allowed' },
  CREDENTIALS_CHANGE_IN_PROGRESS: { status: 409, title: 'Change in progress' },
  CHALLENGE_NOT_FOUND: { status: 404, title: 'Challenge not found' },
  SECURITY_KEY_INVALID: { status: 403, title: 'Security key invalid' },
  OTP_INVALID: { status: 422, title: 'Code invalid' },
  MAX_ATTEMPTS_EXCEEDED: { status: 423, title: 'Too many wrong codes' },
  OTP_EXPIRED: { status: 410, title: 'Code expired' },
  OTP_NOT_SENT: { status: 409, title: 'No code was sent' },
  ALREADY_VERIFIED: { status: 409, title: 'Already verified' },
  CHALLENGE_CANCELLED: { status: 409, title: 'Challenge cancelled' },
  CHALLENGE_NOT_VERIFIED: { status: 409, title: 'Challenge not verified' },
  ALREADY_CONSUMED: { status: 409, title: 'Verification already used' },
  CHALLENGE_MISMATCH: { status: 403, title: 'Challenge made for another purpose' },
  RESEND_TOO_SOON: { status: 429, title: 'Resend too soon' },
  RESEND_LIMIT_REACHED: { status: 429, title: 'Resend limit reached' },
  DESTINATION_RATE_LIMITED: { status: 429, title: 'Destination rate limited' },
  CALLER_RATE_LIMITED: { status: 429, title: 'Too many pre-login codes' },
  USER_RATE_LIMITED: { status: 429, title: 'Too many codes to new destinations' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  OTP_DELIVERY_FAILED: { status: 502, title: 'Code not delivered' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  USER_NOT_ACTIVE: { status: 422, title: 'User not active' },
  NO_REGISTERED_CONTACT: { status: 422, title: 'No registered contact' },
  DESTINATION_NOT_ALLOWED: { status: 422, title: 'Destination not allowed' },
  USER_OTP_LOCKED: { status: 423, title: 'User codes locked' },
};

/**
 * The problem for a refusal: status and title from the table; a `retryAfterSeconds`
 * extension is also sent as Retry-After.
 */
export function businessProblem(
  code: RefusalCode,
  detail?: string,
  extensions: Record<string, unknown> = {},
): ProblemError {
  const { status, title } = BUSINESS_STATUS[code];
  const retryAfter = extensions.retryAfterSeconds;
  return new ProblemError(
    status,
    code,
    title,
    detail ?? title,
    extensions,
    typeof retryAfter === 'number' ? { 'Retry-After': String(retryAfter) } : {},
  );
}

import type { MfaCode } from '../../messages/mfa';

/** HTTP status and title of each MFA refusal (README "MFA challenges"). */
export const MFA_BUSINESS_STATUS: Record<MfaCode, { status: number; title: string }> = {
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
  OTP_DELIVERY_FAILED: { status: 502, title: 'Code not delivered' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  USER_NOT_ACTIVE: { status: 422, title: 'User not active' },
  NO_REGISTERED_CONTACT: { status: 422, title: 'No registered contact' },
  DESTINATION_NOT_ALLOWED: { status: 422, title: 'Destination not allowed' },
  USER_OTP_LOCKED: { status: 423, title: 'User codes locked' },
};

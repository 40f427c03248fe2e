import type { ErrorRequestHandler } from 'express';
import { MFA_TYPE, type MfaState } from '../../messages/mfa';
import type { Logger } from '../../lib/logger';
import { ProblemError, problems } from '../http/problem';
import { isTemporalUnavailable } from '../../clients/temporal';
import { isAnswer, toProblem } from '../http/to-problem';

/**
 * Temenos Infinity's DbxUser MFA shapes over our MFA service: every value a string,
 * `opstatus`/`httpStatusCode` "0" on success, `dbpErrCode`/`dbpErrMsg` on errors.
 */
export const INFINITY_BASE_PATH = '/services/data/v1/RBObjects/operations/DbxUser';

/**
 * dbpErrCode per problem code. 10573 and 10580–10583 are Infinity's MFA codes; the
 * others are this service's own, in the same range (docs/mfa.md lists them by refusal).
 */
export const DBP_ERROR_CODES: Record<string, string> = {
  RESEND_LIMIT_REACHED: '10573',
  RESEND_TOO_SOON: '10574',
  DESTINATION_RATE_LIMITED: '10575',
  CALLER_RATE_LIMITED: '10576',
  USER_RATE_LIMITED: '10577',
  RATE_LIMITED: '10578',
  OTP_EXPIRED: '10580',
  OTP_INVALID: '10581',
  SECURITY_KEY_INVALID: '10582',
  CHALLENGE_NOT_FOUND: '10582',
  CHALLENGE_MISMATCH: '10582',
  MAX_ATTEMPTS_EXCEEDED: '10583',
  ALREADY_VERIFIED: '10584',
  CHALLENGE_CANCELLED: '10585',
  OTP_NOT_SENT: '10586',
  OTP_DELIVERY_FAILED: '10586',
  USER_NOT_FOUND: '10587',
  USER_NOT_ACTIVE: '10587',
  NO_REGISTERED_CONTACT: '10587',
  DESTINATION_NOT_ALLOWED: '10588',
  USER_OTP_LOCKED: '10589',
  VALIDATION_FAILED: '10500',
  MALFORMED_JSON: '10500',
  UNSUPPORTED_MEDIA_TYPE: '10500',
  PAYLOAD_TOO_LARGE: '10500',
  UNAUTHENTICATED: '10401',
  INSUFFICIENT_SCOPE: '10403',
  NOT_FOUND: '10404',
  SERVICE_UNAVAILABLE: '10503',
};
const INTERNAL_ERROR_CODE = '10599';

const ok = { opstatus: '0', httpStatusCode: '0' } as const;

/** The seed's `success` texts: a code went out; a code was verified. */
export const INFINITY_OTP_SENT = 'OTP request sent successfully.';
export const INFINITY_OTP_VERIFIED = 'OTP verified successfully.';

/**
 * What was offered: `DISPLAY_ALL` only when the contacts were listed for the channel to
 * choose from (offer, then send); `DISPLAY_PRIMARY` when the code went out at once.
 */
const communicationType = (state: MfaState) =>
  state.deliveryMode === 'OFFER_THEN_CHOOSE' ? 'DISPLAY_ALL' : 'DISPLAY_PRIMARY';

/** What was chosen (this service's values): the channels the latest code went to, or NONE yet. */
function sacPreferenceCriteria(state: MfaState): string {
  const phone = state.sentTo.phone.length > 0;
  const email = state.sentTo.email.length > 0;
  return phone && email ? 'PHONE_AND_EMAIL' : phone ? 'PHONE' : email ? 'EMAIL' : 'NONE';
}

/** The counters every answer states (docs/design.md, "MFA policy"), as Infinity strings. */
function counters(state: MfaState) {
  return {
    status: state.status,
    expiresAt: state.expiresAt,
    remainingVerifyAttempts: String(state.remainingVerifyAttempts),
    resendAvailableAt: state.resendAvailableAt ?? '',
  };
}

/** requestOTP… answer (a new challenge or a resend). */
export function infinityOtpRequested(state: MfaState, securityKey: string) {
  return {
    ...ok,
    // Only once a code is out: an offer (OFFERED) sent nothing yet.
    ...(state.status !== 'OFFERED' && { success: INFINITY_OTP_SENT }),
    MFAAttributes: {
      serviceKey: state.serviceKey,
      securityKey,
      sacCodeLength: String(state.codeLength),
      remainingResendAttempts: String(state.remainingResendAttempts),
      sacMaxResendRequestsAllowed: String(state.maxResendRequestsAllowed),
      communicationType: communicationType(state),
      sacPreferenceCriteria: sacPreferenceCriteria(state),
      customerCommunication: state.customerCommunication,
      isMFARequired: 'true',
      MFAType: MFA_TYPE,
      ...counters(state),
    },
  };
}

/** requestOTP… answer when the code is still going out at the end of the wait budget. */
export function infinityOtpSending(serviceKey: string, securityKey: string, state: MfaState | null) {
  if (state) return infinityOtpRequested(state, securityKey);
  return {
    ...ok,
    MFAAttributes: { serviceKey, securityKey, isMFARequired: 'true', MFAType: MFA_TYPE, status: 'SENDING' },
  };
}

/** verifyOTP… success. */
export function infinityOtpVerified(state: MfaState) {
  return {
    ...ok,
    success: INFINITY_OTP_VERIFIED,
    isOtpVerified: 'true',
    MFAAttributes: { serviceKey: state.serviceKey, isOtpVerified: 'true', ...counters(state) },
  };
}

/** Any problem in Infinity's error shape, with the HTTP status and headers of the native API. */
export function infinityError(p: ProblemError) {
  const dbpErrCode = DBP_ERROR_CODES[p.code] ?? INTERNAL_ERROR_CODE;
  const ext = p.extensions;
  const mfa =
    ext.challengeStatus !== undefined || ext.remainingVerifyAttempts !== undefined
      ? {
          MFAAttributes: {
            ...(ext.challengeStatus !== undefined && { status: String(ext.challengeStatus) }),
            ...(ext.expiresAt !== undefined && { expiresAt: String(ext.expiresAt) }),
            ...(ext.remainingVerifyAttempts !== undefined && {
              remainingFailedAttempts: String(ext.remainingVerifyAttempts),
              remainingVerifyAttempts: String(ext.remainingVerifyAttempts),
            }),
            ...(ext.remainingResendAttempts !== undefined && {
              remainingResendAttempts: String(ext.remainingResendAttempts),
            }),
            ...(ext.resendAvailableAt !== undefined && {
              resendAvailableAt: String(ext.resendAvailableAt ?? ''),
            }),
            ...(ext.retryAfterSeconds !== undefined && { retryAfterSeconds: String(ext.retryAfterSeconds) }),
          },
        }
      : {};
  return {
    dbpErrCode,
    dbpErrMsg: p.detail ?? p.title,
    opstatus: dbpErrCode,
    httpStatusCode: String(p.status),
    ...mfa,
  };
}

/** Errors on the Infinity paths leave in Infinity's shape, never as problem+json. */
export function infinityErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = isAnswer(err)
      ? toProblem(err)
      : isTemporalUnavailable(err)
        ? problems.unavailable('The workflow engine is not reachable. Retry later.')
        : problems.internal();
    if (!isAnswer(err) && problem.status >= 500) {
      logger.error({ err, requestId: req.requestId, path: req.path }, 'unhandled error');
    }
    if (res.headersSent) return res.end();
    for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
    res.status(problem.status).json(infinityError(problem));
  };
}

import { INFINITY_BASE_PATH } from './mfa/infinity';
import { codecPayloads } from './codec/schema';
import * as r from './openapi/responses';
import { contactInfoRequest, contactInfoView, updateUserIbRequest } from './contact-change/schema';
import { infinityRequestOtp, infinityVerifyOtp } from './mfa/infinity-schema';
import { createChallengeRequest, resendRequest, verifyRequest } from './mfa/schema';
import { openUserIbRequest } from './onboarding/schema';
import { createSelfServiceUserRequest, updateSelfServiceUserRequest } from './self-service-users/schema';
import {
  disclosureList,
  registrationCodeSent,
  registrationRequest,
  registrationResult,
  registrationVerifyRequest,
} from './registration/schema';
import { resetResult, resetUserIbRequest } from './password-reset/schema';
import { securityQuestionsRequest, securityQuestionsResult } from './security-questions/schema';
import { userStatusRequest, userStatusResult } from './user-status/schema';
import { USER_STATUS_SCOPES, type UserStatusAction } from '../messages/user-status';
import type { Scope } from './http/auth';
import type { Route, ResponseSpec } from './http/route';

const p = (description: string): ResponseSpec => ({ description, schema: r.problem, problem: true });
const authErrors = { 401: p('Missing or invalid bearer token'), 403: p('Token lacks the scope') };
const writeErrors = {
  400: p('Validation failed (`errors[]`)'),
  413: p('Body too large'),
  415: p('Not JSON'),
  ...authErrors,
};
/** The per-caller ceiling on calls no durable budget bounds (api/http/caller-rate-limit.ts). */
const rateLimited = p('RATE_LIMITED: this caller made too many such calls this minute (Retry-After)');
/** 403s of the MFA routes: scope, or a user token acting for another user. */
const mfaForbidden = p('INSUFFICIENT_SCOPE, SUBJECT_MISMATCH (mfa:write acts only for its `sub`)');
/**
 * Pre-login operations take mfa:prelogin (or a channel's mfa:write with mfa:any-user, as
 * api/mfa/caller.ts says); the user's own take mfa:write. Both accept X-Kony-Authorization and
 * spend the per-caller ceiling the native routes spend (one bucket per caller across both).
 */
const infinityAuth = (op: string): Pick<Route, 'scopes' | 'anyScope' | 'konyHeader' | 'callerLimit'> => ({
  scopes: op.includes('PreLogin') ? ['mfa:prelogin', 'mfa:write'] : ['mfa:write'],
  anyScope: true,
  konyHeader: true,
  callerLimit: true,
});
const prefer = {
  name: 'Prefer',
  description: '`wait=N`: seconds to wait for the result before answering 202',
};
const idempotency = [
  { name: 'Idempotency-Key', description: 'Idempotency key (or `requestId` in the body)' },
  prefer,
];
/** A start's 503: refused connection (nothing started) or no answer in time (it may have started). */
const startUnavailable = p(
  'Temporal unreachable: nothing started; or no answer in time: `processId` may have started, a retry with the same key replays it',
);
/** A verify, resend or cancel on a challenge that is no longer PENDING (REFUSAL_BY_STATUS). */
const finalStateErrors = {
  409: p('OTP_NOT_SENT, ALREADY_VERIFIED, CHALLENGE_CANCELLED'),
  410: p('OTP_EXPIRED'),
  423: p('MAX_ATTEMPTS_EXCEEDED'),
};
const accepted = { 202: { description: 'Still running: follow `statusUrl`', schema: r.accepted } };

const ACTIONS = { lock: 'LOCK', unlock: 'UNLOCK', close: 'CLOSE' } as const satisfies Record<
  string,
  UserStatusAction
>;
/** POST /users/{userId}/lock|unlock|close: one ChangeUserStatus each. */
const userStatus = (action: keyof typeof ACTIONS): Route => ({
  method: 'post',
  path: `/users/:userId/${action}`,
  tag: 'ib-users',
  summary: `${action[0]!.toUpperCase()}${action.slice(1)} an IB/MB user (ChangeUserStatus)${
    action === 'close' ? ': deactivates, never deletes' : ''
  }`,
  scopes: [...USER_STATUS_SCOPES[ACTIONS[action]]] as Scope[],
  anyScope: true,
  body: userStatusRequest,
  headers: idempotency,
  responses: {
    200: { description: 'Status changed (or already so: `changed: false`)', schema: userStatusResult },
    ...accepted,
    ...writeErrors,
    404: p('USER_NOT_FOUND'),
    409: p('INVALID_STATUS_TRANSITION, CREDENTIALS_CHANGE_IN_PROGRESS'),
    422: p('IDEMPOTENCY_KEY_REUSED'),
    502: p('PROPAGATION_FAILED'),
    503: startUnavailable,
  },
});

/** Temenos Infinity DbxUser operations, twins of the native MFA routes. */
const infinityRequest = (op: string): Route => ({
  method: 'post',
  path: `${INFINITY_BASE_PATH}/${op}`,
  tag: 'temenos-infinity',
  summary: `Infinity DbxUser ${op} (a serviceKey in MFAAttributes makes it a resend)`,
  ...infinityAuth(op),
  body: infinityRequestOtp,
  responses: {
    200: { description: 'Infinity response', schema: r.infinityResponse },
    default: { description: '`{dbpErrCode, dbpErrMsg}`', schema: r.infinityResponse },
  },
});
const infinityVerify = (op: string): Route => ({
  method: 'post',
  path: `${INFINITY_BASE_PATH}/${op}`,
  tag: 'temenos-infinity',
  summary: `Infinity DbxUser ${op}`,
  ...infinityAuth(op),
  body: infinityVerifyOtp,
  responses: {
    200: { description: 'Infinity response', schema: r.infinityResponse },
    default: { description: '`{dbpErrCode, dbpErrMsg}`', schema: r.infinityResponse },
  },
});

/** The Temporal remote codec: encoding forges payloads workflows would trust, so its own scope. */
const codec = (op: 'encode' | 'decode'): Route => ({
  method: 'post',
  path: `/codec/${op}`,
  tag: 'ops',
  summary: `Temporal remote codec: ${op} payloads (for the Temporal UI/CLI)`,
  scopes: [op === 'encode' ? 'codec:encode' : 'codec:decode'],
  body: codecPayloads,
  responses: {
    200: { description: 'Payloads', schema: codecPayloads },
    ...writeErrors,
    422: p('CODEC_FAILED'),
  },
});

/** Every route the API serves, each declared once: mount() registers it, the OpenAPI document describes it. */
export const routes = {
  healthz: {
    method: 'get',
    path: '/healthz',
    tag: 'ops',
    summary: 'Process is up',
    responses: { 200: { description: 'Up', schema: r.health } },
  },
  readyz: {
    method: 'get',
    path: '/readyz',
    tag: 'ops',
    summary:
      "Temporal is reachable, its namespace has every search attribute a start writes, and the worker holds this API's server key",
    responses: {
      200: { description: 'Ready', schema: r.health },
      503: p(
        'Temporal unreachable, search attributes missing in the namespace (SEARCH_ATTRIBUTES_MISSING, naming them), or SERVER_HMAC_KEY differs between the API and the worker',
      ),
    },
  },
  openApiJson: {
    method: 'get',
    path: '/openapi.json',
    tag: 'ops',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
  docs: {
    method: 'get',
    path: '/docs',
    tag: 'ops',
    summary: 'API reference page',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
  openUserIb: {
    method: 'post',
    path: '/open-user-ib',
    tag: 'ib-users',
    summary: 'Open an IB/MB user (OnboardIbUser)',
    scopes: ['ib-users:write'],
    body: openUserIbRequest,
    headers: [
      idempotency[0] as (typeof idempotency)[number],
      {
        name: 'Prefer',
        description:
          '`wait=N`: seconds to wait for the result before answering 202; `milestone=user-created`: answer 202 as soon as the user exists (Early Return), the rest follows',
      },
    ],
    responses: {
      201: { description: 'User opened, first-time password sent', schema: r.onboardingResult },
      202: {
        description:
          'Still running (`RUNNING`), or the user exists (`milestone=user-created`): follow `statusUrl`',
        schema: r.onboardingAccepted,
      },
      ...writeErrors,
      404: p('CUSTOMER_NOT_FOUND (the customer)'),
      409: p(
        'ALREADY_REGISTERED (a retail customer has one user; a business customer one per `userReference`), ONBOARDING_IN_PROGRESS',
      ),
      422: p(
        'CUSTOMER_NOT_ELIGIBLE (`reason`, e.g. NOT_A_BUSINESS_CUSTOMER for employee fields on a retail customer, NO_REGISTERED_EMAIL for credentialDelivery EMAIL), LINKED_CUSTOMER_NOT_RELATED (a `linkedCustomerIds` entry core banking does not relate to the business, repeated, or the business itself; the same answer whether the id exists or not), PHONE_MISMATCH, EMAIL_MISMATCH, DISCLOSURES_NOT_ACCEPTED (`missing`, `stale` naming the current version), IDEMPOTENCY_KEY_REUSED',
      ),
      502: p('ONBOARDING_FAILED (compensated)'),
      503: startUnavailable,
    },
  },
  disclosures: {
    method: 'get',
    path: '/disclosures',
    tag: 'registrations',
    summary: 'The current required disclosures (id, version, title, text, sha256)',
    // Any valid token, as Candescent's registration asks for no scope.
    scopes: [],
    responses: { 200: { description: 'The records', schema: disclosureList }, ...authErrors },
  },
  register: {
    method: 'post',
    path: '/registrations',
    tag: 'registrations',
    summary:
      'Self-register (SelfRegistration): identity matched in core banking, a code to the mobile on file',
    scopes: [],
    body: registrationRequest,
    headers: [{ name: 'Idempotency-Key', description: 'Idempotency key (or `requestId` in the body)' }],
    responses: {
      202: {
        description:
          'CODE_SENT: a code went to the mobile on file (masked); the securityKey is returned only in this answer and its replays. CHECKING: ask again with the same requestId',
        schema: registrationCodeSent,
      },
      ...writeErrors,
      409: p('ALREADY_REGISTERED, USERNAME_TAKEN'),
      422: p(
        'IDENTITY_NOT_VERIFIED (nothing more is said), USERNAME_POLICY, PASSWORD_POLICY (`reasons`), DISCLOSURES_NOT_ACCEPTED (`missing`, `stale` with the current version), CUSTOMER_NOT_ELIGIBLE, IDEMPOTENCY_KEY_REUSED',
      ),
      429: p(
        "IDENTITY_ATTEMPTS_EXCEEDED (this identity, Retry-After), CALLER_RATE_LIMITED (the caller's pre-login budget), DESTINATION_RATE_LIMITED; nothing sent",
      ),
      502: p('OTP_DELIVERY_FAILED, REGISTRATION_FAILED'),
      503: startUnavailable,
    },
  },
  verifyRegistration: {
    method: 'post',
    path: '/registrations/:registrationId/verify',
    tag: 'registrations',
    summary: 'Verify the code: the user is created, active, with the chosen username and password',
    scopes: [],
    // Each verify queries the run (a closed one replays its history): a ceiling per caller.
    callerLimit: true,
    body: registrationVerifyRequest,
    responses: {
      201: { description: 'The user exists in core banking, active', schema: registrationResult },
      ...writeErrors,
      403: p(
        'SECURITY_KEY_INVALID (checked first: without the key no outcome, stage or reason is told), INSUFFICIENT_SCOPE',
      ),
      404: p('REGISTRATION_NOT_FOUND'),
      409: p(
        'ALREADY_REGISTERED, USERNAME_TAKEN (meanwhile), REGISTRATION_NOT_READY, CHALLENGE_NOT_VERIFIED',
      ),
      410: p('OTP_EXPIRED, REGISTRATION_EXPIRED'),
      422: p('OTP_INVALID (remainingVerifyAttempts), IDENTITY_NOT_VERIFIED'),
      423: p('MAX_ATTEMPTS_EXCEEDED'),
      502: p('REGISTRATION_FAILED (a user made is deactivated)'),
    },
  },
  resetUserIb: {
    method: 'post',
    path: '/reset-user-ib',
    tag: 'ib-users',
    summary: 'Reset the password: a new first-time password (ResetUserPassword)',
    scopes: ['ib-users:write'],
    body: resetUserIbRequest,
    headers: idempotency,
    responses: {
      201: { description: 'New first-time password set and sent; expiry restarted', schema: resetResult },
      ...accepted,
      ...writeErrors,
      403: p(
        'MFA_REQUIRED, MFA_NOT_VERIFIED (not a verified, unused RESET_PASSWORD challenge of this user), or missing scope',
      ),
      404: p('USER_NOT_FOUND'),
      409: p('CREDENTIALS_CHANGE_IN_PROGRESS'),
      422: p(
        'USER_NOT_ACTIVE (locked or closed), NO_REGISTERED_CONTACT (no email for EMAIL), IDEMPOTENCY_KEY_REUSED',
      ),
      503: startUnavailable,
    },
  },
  firstLogin: {
    method: 'post',
    path: '/users/:userId/first-login',
    tag: 'ib-users',
    summary: "The customer's first login: stops the first-time password's expiry",
    scopes: ['ib-users:write'],
    responses: {
      200: {
        description:
          '`{userId, expiryStopped}`: true once the timer ended; with Keycloak only after it shows the first-time password changed',
      },
      ...authErrors,
      400: p('Validation failed'),
      503: p('Temporal unreachable'),
    },
  },
  lockUser: userStatus('lock'),
  unlockUser: userStatus('unlock'),
  closeUser: userStatus('close'),
  securityQuestions: {
    method: 'put',
    path: '/users/:userId/security-questions',
    tag: 'ib-users',
    summary:
      'Replace the security questions; only salted hashes reach core banking (UpdateSecurityQuestions)',
    scopes: ['ib-users:write'],
    body: securityQuestionsRequest,
    headers: idempotency,
    responses: {
      200: { description: 'Stored as salted hashes, contacts notified', schema: securityQuestionsResult },
      ...accepted,
      ...writeErrors,
      403: p(
        'MFA_REQUIRED, MFA_NOT_VERIFIED (not a verified, unused UPDATE_SECURITY_QUESTIONS challenge of this user)',
      ),
      404: p('USER_NOT_FOUND'),
      409: p('CREDENTIALS_CHANGE_IN_PROGRESS'),
      422: p('USER_NOT_ACTIVE, IDEMPOTENCY_KEY_REUSED'),
      503: startUnavailable,
    },
  },
  updateUserIb: {
    method: 'post',
    path: '/update-user-ib',
    tag: 'ib-users',
    summary: 'Change the registered phone (UpdateUserPhone)',
    scopes: ['ib-users:write'],
    body: updateUserIbRequest,
    headers: idempotency,
    responses: {
      201: { description: 'Phone changed, propagated and notified', schema: r.contactChangeResult },
      ...accepted,
      ...writeErrors,
      403: p(
        'MFA_REQUIRED, MFA_NOT_VERIFIED (the proof of the new number), STEP_UP_REQUIRED (no verified, unused STEP_UP challenge of this user: a new number is a new authenticator), or missing scope',
      ),
      404: p('USER_NOT_FOUND'),
      409: p('PHONE_UNCHANGED, UPDATE_IN_PROGRESS, PHONE_CHANGE_CANCELLED (in its cooling-off window)'),
      422: p('IDEMPOTENCY_KEY_REUSED'),
      502: p('PROPAGATION_FAILED'),
      503: startUnavailable,
    },
  },
  cancelPhoneChange: {
    method: 'post',
    path: '/update-user-ib/:processId/cancel',
    tag: 'ib-users',
    summary: 'Cancel a phone change in its cooling-off window (PHONE_CHANGE_COOLING_OFF_MINUTES)',
    scopes: ['ib-users:write', 'institution-users:write'],
    anyScope: true,
    responses: {
      200: { description: 'Cancelled: core banking keeps the old phone', schema: r.phoneChangeCancelled },
      ...writeErrors, // no body is needed, but one that is sent is parsed like any other
      404: p('No such phone change, or not started by this subject (without institution-users:write)'),
      409: p('NOT_CANCELLABLE: not in its cooling-off window (applied, ended, or none configured)'),
    },
  },
  putContactInfo: {
    method: 'put',
    path: '/customers/:customerId/contact-info',
    tag: 'institution-users',
    summary:
      "Update contact info (UpdateContactInfo); a self-service user's token (self-service:contact-info) for its linked clients only",
    // Bank staff for any customer; a self-service user's token for its own clients only.
    scopes: ['institution-users:write', 'self-service:contact-info'],
    anyScope: true,
    body: contactInfoRequest,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          "Idempotency key; without one, a PUT repeating the customer's latest change is its retry and replays it",
      },
      prefer,
    ],
    responses: {
      200: { description: 'What changed (empty: nothing to change)', schema: r.contactChangeResult },
      ...accepted,
      ...writeErrors,
      403: p(
        'INSUFFICIENT_SCOPE; CUSTOMER_NOT_LINKED (a self-service token, for a customer outside its `clients` claim, known or not); SELF_SERVICE_TOKEN_REQUIRED (self-service:contact-info on a token without a `clients` claim)',
      ),
      404: p('CUSTOMER_NOT_FOUND'),
      409: p('UPDATE_IN_PROGRESS'),
      503: startUnavailable,
    },
  },
  createSelfServiceUser: {
    method: 'post',
    path: '/v1/users',
    tag: 'self-service-users',
    summary: "Create a business's self-service (API) user, MBanq's field names (CreateSelfServiceUser)",
    scopes: ['self-service-users:write'],
    body: createSelfServiceUserRequest,
    headers: idempotency,
    responses: {
      201: {
        description:
          'User created in core banking and the identity provider; a generated password sent (`passwordDelivery`)',
        schema: r.selfServiceUserResult,
      },
      ...accepted,
      ...writeErrors,
      404: p('CUSTOMER_NOT_FOUND (`clients[0]`, the business)'),
      409: p('USERNAME_TAKEN, UPDATE_IN_PROGRESS (a creation of this username in flight)'),
      422: p(
        'PASSWORD_MISMATCH (repeatPassword), PASSWORD_POLICY (`reasons`), LINKED_CUSTOMER_NOT_RELATED (a client core banking does not relate to the business, repeated, or the business itself; the same answer whether the id exists or not), CUSTOMER_NOT_ELIGIBLE (`reason`, e.g. NOT_A_BUSINESS_CUSTOMER), IDEMPOTENCY_KEY_REUSED',
      ),
      501: p('SELF_SERVICE_USERS_UNAVAILABLE (no identity provider configured)'),
      502: p('SELF_SERVICE_USER_FAILED (compensated: deactivated, login disabled)'),
      503: startUnavailable,
    },
  },
  updateSelfServiceUser: {
    method: 'put',
    path: '/v1/users/:userId',
    tag: 'self-service-users',
    summary: "Replace a self-service user's roles and/or clients (UpdateSelfServiceUser)",
    scopes: ['self-service-users:write'],
    body: updateSelfServiceUserRequest,
    headers: idempotency,
    responses: {
      200: { description: 'The user after the change', schema: r.selfServiceUserState },
      ...accepted,
      ...writeErrors,
      404: p('USER_NOT_FOUND (no self-service user with this id)'),
      409: p('UPDATE_IN_PROGRESS, INVALID_STATUS_TRANSITION (closed)'),
      501: p('SELF_SERVICE_USERS_UNAVAILABLE (no identity provider configured)'),
      422: p(
        "LINKED_CUSTOMER_NOT_RELATED (clients[0] is not the user's business, or another client is not its relation, known or not), IDEMPOTENCY_KEY_REUSED",
      ),
      503: startUnavailable,
    },
  },
  getSelfServiceUser: {
    method: 'get',
    path: '/v1/users/:userId',
    tag: 'self-service-users',
    summary: "A self-service user as core banking and its login hold it (the admin, or the user's own token)",
    scopes: ['self-service-users:write', 'processes:read'],
    anyScope: true,
    responses: {
      200: { description: 'The user', schema: r.selfServiceUserState },
      400: p('Validation failed (`userId`)'),
      ...authErrors,
      403: p("INSUFFICIENT_SCOPE; SUBJECT_MISMATCH (a self-service user's token for another user)"),
      404: p('USER_NOT_FOUND'),
      501: p('SELF_SERVICE_USERS_UNAVAILABLE (no identity provider configured)'),
      503: p('Core banking or the identity provider did not answer in time'),
    },
  },
  getContactInfo: {
    method: 'get',
    path: '/customers/:customerId/contact-info',
    tag: 'institution-users',
    summary: "The customer's contact info, masked: verifies that the customer exists (ReadContactInfo)",
    scopes: ['institution-users:read', 'institution-users:write'],
    anyScope: true,
    // Each read starts a short workflow run: a ceiling per caller.
    callerLimit: true,
    responses: {
      200: { description: 'Masked phone, email and postal address', schema: contactInfoView },
      ...authErrors,
      400: p('VALIDATION_FAILED: not a customer id'),
      404: p('CUSTOMER_NOT_FOUND'),
    },
  },
  getProcess: {
    method: 'get',
    path: '/processes/:processId',
    tag: 'processes',
    summary: 'Status, result or error, and audit trail of a process',
    scopes: ['processes:read', 'processes:read-all'],
    anyScope: true,
    // A read of a closed run replays its history on a worker: a ceiling per caller.
    callerLimit: true,
    responses: {
      200: { description: 'The process', schema: r.processView },
      ...authErrors,
      404: p('No such process, or not started by this subject (without processes:read-all)'),
      429: rateLimited,
    },
  },
  // Calls no durable budget bounds: a ceiling per caller, creates too, as the Infinity twin's
  // (the durable budgets bound sends, this the calls).
  createChallenge: {
    method: 'post',
    path: '/mfa/challenges',
    tag: 'mfa',
    summary: 'Create an MFA challenge (MfaChallenge)',
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Optional: a retry with the same key (per caller) names the same challenge, answers the same keys and sends nothing more; another body under it is 422 IDEMPOTENCY_KEY_REUSED',
      },
    ],
    scopes: ['mfa:write', 'mfa:prelogin'],
    anyScope: true,
    callerLimit: true,
    body: createChallengeRequest,
    responses: {
      201: {
        description:
          'Code sent; the securityKey is returned only here. To a caller not bound to the named userId (mfa:prelogin, ONBOARDING), always: a decoy when no code could go out (unknown, inactive, contactless or locked user, quota), answering as a real one; no customerCommunication',
        schema: r.mfaCreated,
      },
      202: { description: 'Still sending', schema: r.mfaSending },
      ...writeErrors,
      403: mfaForbidden,
      404: p('USER_NOT_FOUND (callers bound to the user)'),
      422: p(
        'NO_REGISTERED_CONTACT, USER_NOT_ACTIVE (callers bound to the user), DESTINATION_NOT_ALLOWED (`reason`)',
      ),
      423: p('USER_OTP_LOCKED: too many wrong codes in a row for this user (Retry-After); nothing sent'),
      429: p(
        'DESTINATION_RATE_LIMITED, CALLER_RATE_LIMITED (pre-login codes per subject or client network), USER_RATE_LIMITED (codes to destinations not on file, per user) (Retry-After)',
      ),
    },
  },
  getChallenge: {
    method: 'get',
    path: '/mfa/challenges/:serviceKey',
    tag: 'mfa',
    summary: 'Challenge state, without secrets',
    scopes: ['mfa:write', 'mfa:prelogin'],
    anyScope: true,
    callerLimit: true,
    responses: {
      200: { description: 'State', schema: r.mfaState },
      ...authErrors,
      403: mfaForbidden,
      404: p('No such challenge'),
      429: rateLimited,
    },
  },
  cancelChallenge: {
    method: 'delete',
    path: '/mfa/challenges/:serviceKey',
    tag: 'mfa',
    summary: 'Cancel a challenge (securityKey in the body or X-Security-Key)',
    scopes: ['mfa:write', 'mfa:prelogin'],
    anyScope: true,
    callerLimit: true,
    headers: [{ name: 'X-Security-Key', description: 'The challenge securityKey' }],
    responses: {
      200: { description: 'Cancelled', schema: r.mfaState },
      ...writeErrors,
      403: p('SECURITY_KEY_INVALID, INSUFFICIENT_SCOPE, SUBJECT_MISMATCH'),
      404: p('No such challenge'),
      ...finalStateErrors,
      429: rateLimited,
    },
  },
  verifyChallenge: {
    method: 'post',
    path: '/mfa/challenges/:serviceKey/verify',
    tag: 'mfa',
    summary: 'Verify a code',
    scopes: ['mfa:write', 'mfa:prelogin'],
    anyScope: true,
    callerLimit: true,
    body: verifyRequest,
    responses: {
      200: { description: 'VERIFIED', schema: r.mfaVerified },
      ...writeErrors,
      403: p('SECURITY_KEY_INVALID, INSUFFICIENT_SCOPE, SUBJECT_MISMATCH'),
      404: p('No such challenge'),
      ...finalStateErrors,
      422: p('OTP_INVALID (remainingVerifyAttempts)'),
      423: p(
        'MAX_ATTEMPTS_EXCEEDED (this challenge), USER_OTP_LOCKED (too many wrong codes in a row for this user, Retry-After; right codes too)',
      ),
      429: rateLimited,
    },
  },
  resendChallenge: {
    method: 'post',
    path: '/mfa/challenges/:serviceKey/resend',
    tag: 'mfa',
    summary: 'Resend the (still valid) code',
    scopes: ['mfa:write', 'mfa:prelogin'],
    anyScope: true,
    callerLimit: true,
    body: resendRequest,
    responses: {
      200: { description: 'Re-sent, counters updated', schema: r.mfaCreated },
      ...writeErrors,
      403: p('SECURITY_KEY_INVALID, INSUFFICIENT_SCOPE, SUBJECT_MISMATCH'),
      404: p('No such challenge'),
      ...finalStateErrors,
      429: p(
        'RESEND_TOO_SOON (Retry-After), RESEND_LIMIT_REACHED, DESTINATION_RATE_LIMITED, RATE_LIMITED (this caller per minute)',
      ),
    },
  },
  infinityRequestOtpPreLogin: infinityRequest('requestOTPPreLoginMB'),
  infinityRequestSecurityQuestionsOtp: infinityRequest('requestUpdateSecurityQuestionsOTP'),
  infinityVerifyOtpPreLogin: infinityVerify('verifyOTPPreLoginMB'),
  infinityVerifySecurityQuestionsOtp: infinityVerify('verifyUpdateSecurityQuestionsOTP'),
  codecEncode: codec('encode'),
  codecDecode: codec('decode'),
  codecDecodeCapability: {
    method: 'post',
    path: '/codec/k/:capability/decode',
    tag: 'ops',
    summary:
      'Remote codec, decoding only, for the dev Temporal UI without login (capability from `npm start`)',
    body: codecPayloads,
    responses: {
      200: { description: 'Payloads', schema: codecPayloads },
      ...writeErrors,
      422: p('CODEC_FAILED'),
    },
  },
} satisfies Record<string, Route>;

/**
 * Every route, as declared; one behind the per-caller ceiling documents its 429 whether or
 * not its declaration lists it (mount() adds the ceiling, so the answer is always possible),
 * unless a `default` answer covers it (the Infinity twins answer every refusal in their shape).
 */
export const routeList: Route[] = Object.values(routes as Record<string, Route>).map((route) =>
  route.callerLimit && !route.responses[429] && !route.responses.default
    ? { ...route, responses: { ...route.responses, 429: rateLimited } }
    : route,
);

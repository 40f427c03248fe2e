import { z } from 'zod';
import {
  SELF_SERVICE_ROLES,
  type CreateSelfServiceUserResult,
  type SelfServiceUserState,
} from '../../messages/self-service-users';
import type { ContactChangeResult, PhoneChangeCancelled } from '../../messages/contact-change';
import { INTERNAL_MFA_PURPOSES, MFA_PURPOSES, type MfaState } from '../../messages/mfa';
import type { OnboardIbUserResult, OnboardingMilestone } from '../../messages/onboarding';
import { named, type Holds, type SameShape } from './registry';

/**
 * Response shapes, for the OpenAPI document. The compile-time checks at the bottom keep
 * them in step with the message types the workflows return.
 */
export const problem = named(
  'Problem',
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(named('FieldError', z.object({ path: z.string(), message: z.string() }))).optional(),
  }),
  'RFC 9457 problem details; `code` is stable, `errors[]` lists validation failures',
);

export const accepted = named(
  'ProcessAccepted',
  z.object({
    processId: z.string(),
    status: z.literal('RUNNING'),
    statusUrl: z.string(),
  }),
);

export const onboardingMilestone = named(
  'OnboardingMilestone',
  z.object({
    processId: z.string(),
    status: z.enum(['USER_CREATED', 'PENDING_AUTHORISATION']),
    customerId: z.string(),
    userId: z.string(),
    username: z.string(),
    statusUrl: z.string(),
  }),
  'Early Return (`Prefer: milestone=user-created`): the user exists; the username sync and first-time password follow, the outcome is at `statusUrl`',
);

/** 202 of POST /open-user-ib: still running, or at its milestone (Early Return). */
export const onboardingAccepted = named(
  'OnboardingAccepted',
  z.union([accepted, onboardingMilestone]),
  '`RUNNING` past the wait budget, or `USER_CREATED` / `PENDING_AUTHORISATION` at the milestone',
);

export const health = named('Health', z.object({ status: z.string() }).loose());

export const credentialDelivery = named(
  'CredentialDelivery',
  z.object({
    channel: z.enum(['SMS', 'EMAIL']),
    to: z.string(),
    status: z.enum(['SENT', 'PASSWORD_CHANGED']),
  }),
  'Where the first-time password went (masked); PASSWORD_CHANGED: nothing set or sent, as the customer chose their own password since (a run retried or reset by ops after the first login)',
);

export const passwordExpiry = named(
  'PasswordExpiry',
  z.object({ processId: z.string(), expiresAt: z.string() }),
  'The durable timer that revokes the first-time password unless the first login is reported first',
);

export const credentialNotification = named(
  'CredentialNotification',
  z.object({ channel: z.enum(['SMS', 'EMAIL']), to: z.string(), status: z.literal('SENT') }),
);

export const onboardingResult = named(
  'OnboardingResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    customerId: z.string(),
    userId: z.string(),
    username: z.string(),
    credentialDelivery,
    passwordExpiry: passwordExpiry.optional(),
  }),
);

const auditEntry = named(
  'AuditEntry',
  z.object({
    step: z.string(),
    status: z.string(),
    at: z.string(),
    detail: z.string().optional(),
  }),
);

export const processView = named(
  'ProcessView',
  z.object({
    processId: z.string(),
    processType: z.string(),
    status: named(
      'ProcessStatus',
      z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']),
    ),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    step: z.string().nullable(),
    result: z.unknown().optional(),
    error: z.record(z.string(), z.unknown()).optional(),
    auditTrail: z.array(auditEntry).nullable(),
  }),
);

export const contactChangeResult = named(
  'ContactChangeResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    customerId: z.string(),
    userId: z.string().nullable(),
    changed: z.array(z.enum(['phone', 'email', 'postalAddress'])),
    phone: z.string().optional(),
    email: z.string().optional(),
    propagatedTo: z.array(z.string()),
    notifications: z.array(
      named(
        'ContactChangeNotification',
        z.object({
          channel: z.enum(['SMS', 'EMAIL']),
          to: z.string(),
          status: z.literal('SENT'),
          kind: z.enum(['SECURITY_NOTICE', 'CONFIRMATION']),
        }),
      ),
    ),
  }),
);

const contact = named(
  'MaskedDestination',
  z.object({ masked: z.string(), referenceId: z.string() }),
  'A destination the code went to, masked; `referenceId` names it without revealing it',
);

export const mfaState = named(
  'MfaChallengeState',
  z.object({
    processId: z.string(),
    serviceKey: z.string(),
    // A challenge a process made (REGISTRATION) reads like any other.
    purpose: named('MfaStatePurpose', z.enum([...MFA_PURPOSES, ...INTERNAL_MFA_PURPOSES])),
    userId: z.string().nullable(),
    status: named(
      'MfaChallengeStatus',
      z.enum([
        'SENDING',
        'OFFERED',
        'PENDING',
        'VERIFIED',
        'CONSUMED',
        'EXPIRED',
        'LOCKED',
        'CANCELLED',
        'FAILED',
      ]),
    ),
    mfaType: z.literal('SECURE_ACCESS_CODE'),
    codeLength: z.number().int(),
    createdAt: z.string(),
    expiresAt: z.string(),
    remainingVerifyAttempts: z.number().int(),
    remainingResendAttempts: z.number().int(),
    resendAvailableAt: z.string().nullable(),
    maxVerifyAttempts: z.number().int(),
    maxResendRequestsAllowed: z.number().int(),
    customerCommunication: named(
      'CustomerCommunication',
      z.object({ phone: z.array(contact), email: z.array(contact) }),
    ),
    deliveryMode: z.enum(['SEND_AT_ONCE', 'OFFER_THEN_CHOOSE']),
    sentTo: named(
      'MfaSentTo',
      z.object({ phone: z.array(z.string()), email: z.array(z.string()) }),
      'referenceIds of the contacts the latest code went to',
    ),
    verifiedAt: z.string().nullable(),
    consumedAt: z.string().nullable(),
    consumedBy: z.string().nullable(),
    failureCode: z.string().nullable(),
    deliveries: z
      .array(
        named(
          'MfaDeliveryLeg',
          z.object({
            channel: z.enum(['SMS', 'EMAIL']),
            status: z.enum(['SENDING', 'SENT', 'FAILED']),
          }),
          'The first code to one destination: the challenge is verifiable once one leg is SENT; the others go on retrying',
        ),
      )
      .optional(),
  }),
  'An MFA challenge, without its secrets',
);

export const mfaCreated = named(
  'MfaChallengeCreated',
  mfaState.extend({ securityKey: z.string() }),
  'The challenge and its securityKey, which only the create and resend answers carry',
);
/** 202 from POST /mfa/challenges: the code is still being sent, so any field may be missing. */
export const mfaSending = named('MfaChallengeSending', mfaCreated.partial());
export const mfaVerified = named('MfaChallengeVerified', mfaState.extend({ isOtpVerified: z.literal(true) }));

/** Infinity's envelope: `opstatus`/`httpStatusCode` strings plus operation fields. */
export const infinityResponse = named(
  'InfinityResponse',
  z.looseObject({ opstatus: z.union([z.string(), z.number()]) }),
);

export const phoneChangeCancelled = named(
  'PhoneChangeCancelled',
  z.object({ processId: z.string(), status: z.literal('CANCELLED') }),
);

export const selfServiceUserResult = named(
  'SelfServiceUserResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    userId: z.string(),
    username: z.string(),
    businessCustomerId: z.string(),
    clients: z.array(z.string()),
    roles: z.array(z.enum(SELF_SERVICE_ROLES)),
    officeId: z.number(),
    isSelfServiceUser: z.literal(true),
    resetPasswordAfterFirstLogin: z.boolean(),
    passwordDelivery: credentialDelivery.optional(),
  }),
);

export const selfServiceUserState = named(
  'SelfServiceUserState',
  z.object({
    userId: z.string(),
    username: z.string(),
    businessCustomerId: z.string(),
    clients: z.array(z.string()),
    roles: z.array(z.enum(SELF_SERVICE_ROLES)),
    officeId: z.number().nullable(),
    isSelfServiceUser: z.literal(true),
    status: z.string(),
  }),
);

export type _Checks = [
  Holds<SameShape<typeof onboardingResult, OnboardIbUserResult>>,
  Holds<SameShape<typeof onboardingMilestone, OnboardingMilestone & { statusUrl: string }>>,
  Holds<SameShape<typeof contactChangeResult, ContactChangeResult>>,
  Holds<SameShape<typeof mfaState, MfaState>>,
  Holds<SameShape<typeof phoneChangeCancelled, PhoneChangeCancelled>>,
  Holds<SameShape<typeof selfServiceUserResult, CreateSelfServiceUserResult>>,
  Holds<SameShape<typeof selfServiceUserState, SelfServiceUserState>>,
];

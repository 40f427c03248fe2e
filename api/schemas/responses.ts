import { z } from 'zod';
import type { ContactChangeResult } from '../../messages/contact-change';
import type { MfaState } from '../../messages/mfa';
import type { OnboardIbUserResult } from '../../messages/onboarding';

/**
 * Response shapes, for the OpenAPI document. The compile-time checks at the bottom keep
 * them in step with the message types the workflows return.
 */
export const problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const accepted = z.object({
  processId: z.string(),
  status: z.literal('RUNNING'),
  statusUrl: z.string(),
});

export const health = z.object({ status: z.string() }).loose();

export const onboardingResult = z.object({
  processId: z.string(),
  status: z.literal('COMPLETED'),
  customerId: z.string(),
  userId: z.string(),
  username: z.string(),
  credentialDelivery: z.object({ channel: z.literal('SMS'), to: z.string(), status: z.literal('SENT') }),
});

const auditEntry = z.object({
  step: z.string(),
  status: z.string(),
  at: z.string(),
  detail: z.string().optional(),
});

export const processView = z.object({
  processId: z.string(),
  processType: z.string(),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  step: z.string().nullable(),
  result: z.unknown().optional(),
  error: z.record(z.string(), z.unknown()).optional(),
  auditTrail: z.array(auditEntry).nullable(),
});

export const contactChangeResult = z.object({
  processId: z.string(),
  status: z.literal('COMPLETED'),
  customerId: z.string(),
  userId: z.string().nullable(),
  changed: z.array(z.enum(['phone', 'email', 'postalAddress'])),
  phone: z.string().optional(),
  email: z.string().optional(),
  propagatedTo: z.array(z.string()),
  notifications: z.array(
    z.object({
      channel: z.enum(['SMS', 'EMAIL']),
      to: z.string(),
      status: z.literal('SENT'),
      kind: z.enum(['SECURITY_NOTICE', 'CONFIRMATION']),
    }),
  ),
});

const contact = z.object({ masked: z.string(), referenceId: z.string() });

export const mfaState = z.object({
  processId: z.string(),
  serviceKey: z.string(),
  purpose: z.enum(['ONBOARDING', 'LOGIN', 'UPDATE_PHONE', 'UPDATE_SECURITY_QUESTIONS']),
  userId: z.string().nullable(),
  status: z.enum(['SENDING', 'PENDING', 'VERIFIED', 'CONSUMED', 'EXPIRED', 'LOCKED', 'CANCELLED', 'FAILED']),
  mfaType: z.literal('SECURE_ACCESS_CODE'),
  codeLength: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string(),
  remainingVerifyAttempts: z.number().int(),
  remainingResendAttempts: z.number().int(),
  resendAvailableAt: z.string().nullable(),
  maxVerifyAttempts: z.number().int(),
  maxResendRequestsAllowed: z.number().int(),
  customerCommunication: z.object({ phone: z.array(contact), email: z.array(contact) }),
  verifiedAt: z.string().nullable(),
  consumedAt: z.string().nullable(),
  consumedBy: z.string().nullable(),
  failureCode: z.string().nullable(),
});

export const mfaCreated = mfaState.extend({ securityKey: z.string() });
export const mfaVerified = mfaState.extend({ isOtpVerified: z.literal(true) });

/** Infinity's envelope: `opstatus`/`httpStatusCode` strings plus operation fields. */
export const infinityResponse = z.looseObject({ opstatus: z.union([z.string(), z.number()]) });

export const codecPayloads = z.object({
  payloads: z.array(
    z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }),
  ),
});

// Compile-time: the documented shapes accept what the workflows return.
type Assignable<T, U extends T> = U;
export type _Checks = [
  Assignable<z.infer<typeof onboardingResult>, OnboardIbUserResult>,
  Assignable<z.infer<typeof contactChangeResult>, ContactChangeResult>,
  Assignable<z.infer<typeof mfaState>, MfaState>,
];

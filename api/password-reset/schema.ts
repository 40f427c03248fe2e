import { z } from 'zod';
import { CREDENTIAL_DELIVERY } from '../../messages/onboarding';
import type { ResetUserPasswordResult } from '../../messages/password-reset';
import { idempotencyKey } from '../http/fields';
import { challengeProof, userId } from '../http/fields';
import { named, type Holds, type SameShape } from '../openapi/registry';
import { credentialDelivery, credentialNotification, passwordExpiry } from '../openapi/responses';

/** POST /reset-user-ib. `mfa` is checked by the route (403 MFA_REQUIRED), not here. */
export const resetUserIbRequest = named(
  'ResetUserIbRequest',
  z.strictObject({
    requestId: idempotencyKey.optional(),
    userId,
    mfa: named(
      'ResetMfaProof',
      challengeProof,
      'The verified RESET_PASSWORD challenge (sent to the contacts on file): its serviceKey and securityKey',
    ).optional(),
    credentialDelivery: z.enum(CREDENTIAL_DELIVERY).default('SMS'),
  }),
);
export type ResetUserIbRequest = z.infer<typeof resetUserIbRequest>;

export const resetResult = named(
  'PasswordResetResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    userId: z.string(),
    credentialDelivery,
    passwordExpiry,
    notifications: z.array(credentialNotification),
  }),
);

export type _Checks = [Holds<SameShape<typeof resetResult, ResetUserPasswordResult>>];

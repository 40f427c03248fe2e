import { z } from 'zod';
import { CHANNELS, CREDENTIAL_DELIVERY } from '../../messages/onboarding';
import { challengeProof, customerId, e164, idempotencyKey } from '../http/fields';
import { disclosureAcceptance } from '../registration/schema';
import { named } from '../openapi/registry';

/** POST /open-user-ib. Unknown fields are refused, not ignored. */
export const openUserIbRequest = named(
  'OpenUserIbRequest',
  z
    .strictObject({
      requestId: idempotencyKey.optional(),
      customerId,
      channel: named('Channel', z.enum(CHANNELS)),
      phone: e164.optional(),
      // Checked against the email on file (422 EMAIL_MISMATCH), as phone is against the mobile.
      email: z.email().max(254).optional(),
      credentialDelivery: named('CredentialDeliveryChannel', z.enum(CREDENTIAL_DELIVERY)).optional(),
      // Any string up to 40: an invalid one is replaced by a generated username (policy).
      preferredUsername: z.string().min(1).max(40).optional(),
      acceptedDisclosures: z.array(disclosureAcceptance).max(20).default([]),
      // A business customer's users: one per employee, each scoped to the customers it is linked to.
      userReference: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and -, at most 40')
        .optional(),
      linkedCustomerIds: z.array(customerId).max(20).optional(),
      // A verified pre-login ONBOARDING challenge of the mobile on file (ONBOARDING_REQUIRES_PHONE_PROOF).
      phoneProof: named(
        'PhoneProof',
        challengeProof,
        'The verified pre-login ONBOARDING challenge sent to the mobile on file: its serviceKey and securityKey',
      ).optional(),
    })
    .refine((b) => !b.phoneProof || (b.credentialDelivery ?? 'SMS') === 'SMS', {
      message: 'with a phoneProof the first-time password goes to the proven number (SMS)',
      path: ['credentialDelivery'],
    }),
);

export type OpenUserIbRequest = z.infer<typeof openUserIbRequest>;

import { z } from 'zod';
import { challengeProof, customerId, e164, idempotencyKey, plainText, userId } from '../http/fields';
import { named } from '../openapi/registry';

/**
 * POST /update-user-ib. `mfa` and `stepUp` are checked by the route (403 MFA_REQUIRED,
 * STEP_UP_REQUIRED), not here.
 */
export const updateUserIbRequest = named(
  'UpdateUserIbRequest',
  z
    .strictObject({
      requestId: idempotencyKey.optional(),
      userId: userId.optional(),
      customerId: customerId.optional(),
      newPhone: e164,
      mfa: named(
        'MfaProof',
        challengeProof,
        'The verified UPDATE_PHONE challenge: its serviceKey and securityKey',
      ).optional(),
      stepUp: named(
        'StepUpProof',
        challengeProof,
        'The verified STEP_UP challenge, sent to the phone or email on file: its serviceKey and securityKey',
      ).optional(),
    })
    .refine((b) => !!b.userId !== !!b.customerId, {
      message: 'give exactly one of userId and customerId',
      path: ['userId'],
    }),
);

export type UpdateUserIbRequest = z.infer<typeof updateUserIbRequest>;

const postalAddress = named(
  'PostalAddress',
  z.strictObject({
    line1: plainText(1, 100),
    line2: plainText(0, 100).optional(),
    city: plainText(1, 60),
    postalCode: plainText(0, 20).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2'),
  }),
);

/** The seed's `userIdType`: the path names a customer id. */
const userIdType = z.literal('CUSTOMER_ID').optional();

/**
 * PUT /customers/{customerId}/contact-info (Candescent Update Contact Info): exactly the
 * combinations the seed lists, one call each: a postal address alone, an email alone, or a
 * phone with a postal address. Anything else (phone alone, email with anything) is 400.
 */
export const contactInfoRequest = named(
  'ContactInfoRequest',
  z.union([
    named('ContactInfoAddressChange', z.strictObject({ userIdType, postalAddress })),
    named(
      'ContactInfoEmailChange',
      z.strictObject({ userIdType, email: z.strictObject({ emailAddress: z.email().max(254) }) }),
    ),
    named(
      'ContactInfoPhoneChange',
      z.strictObject({
        userIdType,
        phoneNumber: z.strictObject({ newPhoneNumber: e164 }),
        postalAddress,
      }),
    ),
  ]),
);

export type ContactInfoRequest = z.infer<typeof contactInfoRequest>;

/** GET /customers/{customerId}/contact-info: masked, to recognise a contact, never to use it. */
export const contactInfoView = named(
  'ContactInfoView',
  z.object({
    customerId: z.string(),
    phoneNumber: z.string().nullable(),
    emailAddress: z.string().nullable(),
    postalAddress: z.object({ address1: z.string(), city: z.string(), country: z.string() }).nullable(),
  }),
);

import { z } from 'zod';
import { challengeProof, customerId, e164, idempotencyKey, plainText, userId } from '../http/fields';
import { named, type Holds, type SameShape } from '../openapi/registry';
import type { ContactInfoView, PostalAddress } from '../../messages/contact-change';

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

const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2');
const state = plainText(1, 60).optional();

/** An address in this service's words; key order is core banking's (changes compare by it). */
const ownPostalAddress = named(
  'PostalAddress',
  z.strictObject({
    line1: plainText(1, 100),
    line2: plainText(0, 100).optional(),
    city: plainText(1, 60),
    state,
    postalCode: plainText(0, 20).optional(),
    country,
  }),
);

/** The seed's own address (`address1`, `address2`, `state`, a `postalCode` that may be a number). */
const seedPostalAddress = named(
  'CandescentPostalAddress',
  z.strictObject({
    address1: plainText(1, 100),
    address2: plainText(0, 100).optional(),
    city: plainText(1, 60),
    state,
    postalCode: z.union([plainText(0, 20), z.number().int().nonnegative()]).optional(),
    country,
  }),
);

const postalAddress = z.union([ownPostalAddress, seedPostalAddress]).transform((a): PostalAddress => {
  const own = 'line1' in a;
  const line2 = own ? a.line2 : a.address2;
  return {
    line1: own ? a.line1 : a.address1,
    ...(line2 !== undefined && { line2 }),
    city: a.city,
    ...(a.state !== undefined && { state: a.state }),
    ...(a.postalCode !== undefined && { postalCode: String(a.postalCode) }),
    country: a.country,
  };
});

/**
 * The new phone: E.164, or the seed's `newCountryCode` with a national `newPhoneNumber`
 * (which it may send as a number); `oldPhoneNumber`/`oldCountryCode` are taken and not used.
 */
const phoneNumber = z
  .strictObject({
    newPhoneNumber: z.union([z.string().trim().min(1).max(20), z.number().int().positive()]),
    newCountryCode: z
      .union([
        z.string().regex(/^\+?[1-9]\d{0,2}$/, 'a country calling code'),
        z.number().int().min(1).max(999),
      ])
      .optional(),
    oldPhoneNumber: z.union([z.string().max(20), z.number()]).optional(),
    oldCountryCode: z.union([z.string().max(4), z.number()]).optional(),
  })
  .transform((p) => {
    const number = String(p.newPhoneNumber);
    if (p.newCountryCode === undefined || number.startsWith('+')) return number;
    return `+${String(p.newCountryCode).replace(/^\+/, '')}${number.replace(/^0+/, '')}`;
  })
  .pipe(e164);

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
        phoneNumber,
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

export type _Checks = [Holds<SameShape<typeof contactInfoView, ContactInfoView>>];

import { z } from 'zod';
import { e164, idempotencyKey } from '../http/fields';
import { named, type Holds, type SameShape } from '../openapi/registry';
import type { SelfRegistrationResult } from '../../messages/registration';

/**
 * A disclosure acceptance: `{id, version}`, or the plain code (the current version), as
 * existing callers send it.
 */
export const disclosureAcceptance = named(
  'DisclosureAcceptance',
  z.union([
    z.string().regex(/^[A-Z0-9_]{1,40}$/, 'a disclosure code'),
    z.strictObject({
      id: z.string().regex(/^[A-Z0-9_]{1,40}$/, 'a disclosure code'),
      version: z.number().int().min(1).max(9999),
    }),
  ]),
);

const name = z.string().trim().min(1).max(64);

/** POST /registrations. The policies on username and password are checked after the shape. */
export const registrationRequest = named(
  'RegistrationRequest',
  z.strictObject({
    requestId: idempotencyKey.optional(),
    channel: z.enum(['MOBILE', 'WEB']).default('MOBILE'),
    identity: named(
      'RegistrationIdentity',
      z.strictObject({
        firstName: name,
        lastName: name,
        dateOfBirth: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
          .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date'),
        nationalIdLast4: z
          .string()
          .regex(/^[0-9A-Za-z]{4}$/, 'the last 4 characters of the national id')
          .optional(),
        // Candescent's registration data; which ones are required is REGISTRATION_IDENTITY_FACTORS.
        socialSecurityNumber: z
          .string()
          .regex(/^[0-9A-Za-z]{4,20}$/, 'the full Social Security (national id) number')
          .optional(),
        postalAddress: named(
          'RegistrationPostalAddress',
          z.strictObject({
            street: z.string().trim().min(1).max(128),
            city: z.string().trim().min(1).max(64),
            state: z.string().trim().min(1).max(64).optional(),
            zipCode: z.string().trim().min(1).max(16).optional(),
            country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2'),
          }),
        ).optional(),
        phoneNumber: e164.optional(),
        emailAddress: z.email().max(254).optional(),
        mothersMaidenName: z.string().trim().min(1).max(128).optional(),
      }),
    ),
    username: z.string().min(1).max(40),
    // Long enough for any policy answer to be a 422, short enough that hashing stays cheap.
    password: z.string().min(1).max(256),
    acceptedDisclosures: z.array(disclosureAcceptance).max(20),
  }),
);
export type RegistrationRequest = z.infer<typeof registrationRequest>;

export const registrationVerifyRequest = named(
  'RegistrationVerifyRequest',
  z.strictObject({
    securityKey: z.string().min(1).max(256),
    otp: z.string().regex(/^\d{4,10}$/, '4–10 digits'),
  }),
);
export type RegistrationVerifyRequest = z.infer<typeof registrationVerifyRequest>;

export const registrationCodeSent = named(
  'RegistrationCodeSent',
  z.object({
    registrationId: z.string(),
    processId: z.string(),
    // CHECKING: the identity check outlasted the wait; the same requestId asks again.
    status: z.enum(['CODE_SENT', 'CHECKING']),
    serviceKey: z.string().optional(),
    securityKey: z.string().optional(),
    expiresAt: z.string().optional(),
    maskedDestination: z.string().optional(),
    verifyUrl: z.string().optional(),
  }),
);

export const registrationResult = named(
  'RegistrationResult',
  z.object({
    processId: z.string(),
    registrationId: z.string(),
    status: z.literal('COMPLETED'),
    userId: z.string(),
    username: z.string(),
  }),
);

export const disclosureList = named(
  'DisclosureList',
  z.object({
    items: z.array(
      named(
        'DisclosureRecord',
        z.object({
          id: z.string(),
          version: z.number().int(),
          title: z.string(),
          text: z.string().optional(),
          url: z.string().optional(),
          sha256: z.string(),
        }),
      ),
    ),
  }),
);

export type _Checks = [Holds<SameShape<typeof registrationResult, SelfRegistrationResult>>];

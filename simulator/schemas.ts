import { z } from 'zod';
import type { Product } from '../adapters/core-banking/types';

/**
 * Request bodies and queries the simulator accepts, as T24/the ESB would validate them.
 * ESB bodies are read tolerantly (unknown fields ignored); admin bodies strictly.
 */

export const E164 = /^\+[1-9]\d{7,14}$/;
export const MIN_PASSWORD_LENGTH = 12;

const id = z.string().trim().min(1).max(64);
const businessKey = z.string().min(1).max(128);
const e164 = z.string().regex(E164, 'must be an E.164 number such as +254700100001');

const productSchema = z.strictObject({
  productId: z.string().min(1).max(64),
  type: z.string().min(1).max(32),
  status: z.enum(['ACTIVE', 'DORMANT', 'CLOSED']),
});

const postalAddressSchema = z.object({
  line1: z.string().min(1).max(128),
  line2: z.string().max(128).optional(),
  city: z.string().min(1).max(64),
  state: z.string().max(64).optional(),
  postalCode: z.string().max(16).optional(),
  country: z.string().min(2).max(64),
});

/** T24 username rules: 8..20 of [A-Za-z0-9._-], not all digits. */
const username = z
  .string()
  .min(8)
  .max(20)
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, dot, underscore and hyphen')
  .refine((u) => !/^\d+$/.test(u), 'must not be all digits');

export const createIbUserSchema = z
  .object({
    businessKey,
    customerId: id,
    username,
    channel: z.string().min(1).max(16),
    acceptedDisclosures: z.array(z.string().min(1).max(64)).max(32),
    userReference: z.string().min(1).max(64).optional(),
    linkedCustomerIds: z.array(id).max(20).optional(),
  })
  .refine((r) => r.username !== r.customerId, {
    path: ['username'],
    message: 'must not equal the customer id',
  });

export const findIbUsersQuerySchema = z
  .object({
    customerId: id.optional(),
    businessKey: businessKey.optional(),
    username: z.string().min(1).max(64).optional(),
  })
  .refine((q) => q.customerId !== undefined || q.businessKey !== undefined || q.username !== undefined, {
    message: 'at least one of customerId, businessKey, username is required',
  });

export const setPasswordSchema = z.object({
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(128),
  mustChange: z.boolean(),
  // A conditional set (docs/esb-contract.md): only while passwordSetAt is still this.
  ifPasswordSetAt: z.string().nullable().optional(),
  issuedBy: z.string().min(1).max(200).optional(),
});

export const deactivateSchema = z.object({ reason: z.string().min(1).max(256) });
/** lock, unlock and revoke carry a reason for T24's audit, as deactivate does. */
export const statusChangeSchema = deactivateSchema;

export const setLinkedCustomersSchema = z.strictObject({ linkedCustomerIds: z.array(id).max(20) });

/** A salted scrypt hash as passwords.ts writes it: an answer in clear is refused. */
export const SCRYPT_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]{16,}\$[A-Za-z0-9+/=]{16,}$/;

export const securityAnswersSchema = z.object({
  businessKey,
  questions: z
    .array(
      z.object({
        questionId: z.string().regex(/^[A-Z0-9_]{1,40}$/, 'a question code'),
        answerHash: z.string().max(256).regex(SCRYPT_HASH, 'must be a salted scrypt hash, never an answer'),
      }),
    )
    .min(1)
    .max(10)
    .refine((qs) => new Set(qs.map((q) => q.questionId)).size === qs.length, 'questionIds must differ'),
});

export const verifyAnswerSchema = z.strictObject({
  questionId: z.string().max(40),
  answer: z.string().max(256),
});

export const contactUpdateSchema = z
  .object({
    businessKey,
    mobilePhone: e164.optional(),
    email: z.email().max(254).optional(),
    postalAddress: postalAddressSchema.optional(),
  })
  .refine((u) => u.mobilePhone !== undefined || u.email !== undefined || u.postalAddress !== undefined, {
    message: 'at least one of mobilePhone, email, postalAddress is required',
  });

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date');

export const identityMatchSchema = z.object({
  firstName: z.string().min(1).max(64),
  lastName: z.string().min(1).max(64),
  dateOfBirth: isoDate,
  nationalIdLast4: z
    .string()
    .regex(/^[0-9A-Za-z]{4}$/, 'the last 4 characters of the national id')
    .optional(),
  nationalId: z
    .string()
    .regex(/^[0-9A-Za-z]{4,20}$/, '4–20 letters and digits')
    .optional(),
  postalAddress: z
    .object({
      street: z.string().min(1).max(128),
      city: z.string().min(1).max(64),
      state: z.string().max(64).optional(),
      zipCode: z.string().max(16).optional(),
      country: z.string().min(2).max(64),
    })
    .optional(),
  mobilePhone: e164.optional(),
  email: z.email().max(254).optional(),
  mothersMaidenName: z.string().min(1).max(128).optional(),
});

export const disclosureAcceptanceSchema = z.object({
  businessKey,
  userId: z.string().min(1).max(64).nullable(),
  channel: z.string().min(1).max(16),
  acceptedAt: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO-8601 time'),
  disclosures: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        version: z.number().int().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest'),
      }),
    )
    .min(1)
    .max(32),
});

/** Admin create: `phone` becomes mobilePhone; a product given as a string is an ACTIVE savings account. */
export const adminCreateCustomerSchema = z.strictObject({
  customerId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and hyphens, at most 32'),
  firstName: z.string().min(1).max(64),
  lastName: z.string().min(1).max(64),
  phone: e164.nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  products: z
    .array(z.union([z.string().min(1).max(64), productSchema]))
    .max(50)
    .transform((items) => items.map(toProduct)),
  postalAddress: postalAddressSchema.nullable().optional(),
  status: z.enum(['ACTIVE', 'BLOCKED', 'DECEASED']).optional(),
  type: z.enum(['RETAIL', 'BUSINESS']).optional(),
  /** BUSINESS only: the customers its users may be linked to. */
  relatedCustomerIds: z.array(id).max(50).optional(),
  dateOfBirth: isoDate.nullable().optional(),
  nationalId: z
    .string()
    .regex(/^[0-9A-Za-z]{4,20}$/, '4–20 letters and digits')
    .nullable()
    .optional(),
  mothersMaidenName: z.string().min(1).max(128).nullable().optional(),
});

export const authoriseSchema = z.strictObject({ decision: z.enum(['APPROVE', 'REJECT']) });

export const verifyPasswordSchema = z.strictObject({ password: z.string().max(128) });

function toProduct(item: string | Product): Product {
  return typeof item === 'string' ? { productId: item, type: 'SAVINGS', status: 'ACTIVE' } : item;
}

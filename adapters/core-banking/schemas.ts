import { z } from 'zod';
import { canonicalPhone } from '../../rules/phone';
import type { Customer, DisclosureAcceptanceRecord, IbUser, IdentityMatch } from './types';

/**
 * What the ESB's 2xx bodies must look like before anything relies on them
 * (docs/esb-contract.md). Unknown extra fields are allowed and dropped; a missing or
 * mistyped field is refused rather than cast.
 */
const postalAddress = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string(),
});

export const customerSchema: z.ZodType<Customer> = z.object({
  customerId: z.string().min(1),
  firstName: z.string(),
  lastName: z.string(),
  // Canonical E.164 as read: the number on file compares, digests and counts as a typed one
  // does, however core banking spells it (a trunk prefix, spaces).
  mobilePhone: z
    .string()
    .nullable()
    .transform((p) => (p === null ? null : canonicalPhone(p))),
  email: z.string().nullable(),
  postalAddress: postalAddress.nullable().optional(),
  products: z.array(
    z.object({
      productId: z.string(),
      type: z.string(),
      status: z.enum(['ACTIVE', 'DORMANT', 'CLOSED']),
    }),
  ),
  status: z.enum(['ACTIVE', 'BLOCKED', 'DECEASED']),
  type: z.enum(['RETAIL', 'BUSINESS']).optional(),
  relatedCustomerIds: z.array(z.string()).optional(),
});

export const identityMatchSchema: z.ZodType<IdentityMatch> = z.object({
  matched: z.boolean(),
  customerId: z.string().min(1).nullable(),
});

export const disclosureAcceptanceSchema: z.ZodType<DisclosureAcceptanceRecord> = z.object({
  acceptanceId: z.string().min(1),
  customerId: z.string().min(1),
  businessKey: z.string(),
  userId: z.string().nullable(),
  channel: z.string(),
  acceptedAt: z.string(),
  recordedAt: z.string(),
  disclosures: z.array(z.object({ id: z.string(), version: z.number().int(), sha256: z.string() })),
});

export const ibUserSchema: z.ZodType<IbUser> = z.object({
  userId: z.string().min(1),
  customerId: z.string().min(1),
  username: z.string().min(1),
  channel: z.string(),
  status: z.enum(['PENDING_AUTHORISATION', 'ACTIVE', 'LOCKED', 'REJECTED', 'DEACTIVATED']),
  businessKey: z.string(),
  mustChangePassword: z.boolean(),
  passwordSetAt: z.string().nullable(),
  passwordIssuedBy: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deactivationReason: z.string().nullable().optional(),
  userReference: z.string().nullable().optional(),
  linkedCustomerIds: z.array(z.string()).optional(),
  lockReason: z.string().nullable().optional(),
});

export const ibUserListSchema = z.object({ items: z.array(ibUserSchema) });

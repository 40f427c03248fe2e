import { z } from 'zod';
import { SELF_SERVICE_ROLES } from '../../messages/self-service-users';
import { customerId, idempotencyKey, plainText } from '../http/fields';
import { named } from '../openapi/registry';

/** T24's username rules (8..20 of letters, digits, `.`, `_`, `-`, not all digits), kept exactly. */
const username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{8,20}$/, '8–20 letters, digits, . _ -')
  .refine((u) => !/^\d+$/.test(u), 'must not be all digits');

/**
 * POST /v1/users with MBanq's field names. `clients[0]` is the business the user belongs
 * to; the others are customers core banking relates to it. Unknown fields are refused.
 */
export const createSelfServiceUserRequest = named(
  'CreateSelfServiceUserRequest',
  z.strictObject({
    requestId: idempotencyKey.optional(),
    username,
    firstname: plainText(1, 100),
    lastname: plainText(1, 100),
    email: z.email().max(254),
    officeId: z.number().int().positive(),
    roles: z
      .array(named('SelfServiceRole', z.enum(SELF_SERVICE_ROLES)))
      .max(10)
      .default([]),
    password: z.string().min(1).max(256).optional(),
    repeatPassword: z.string().min(1).max(256).optional(),
    sendPasswordToEmail: z.boolean().default(false),
    // This service creates self-service users only: staff users live in the bank's directory.
    isSelfServiceUser: z.literal(true),
    resetPasswordAfterFirstLogin: z.boolean().default(false),
    clients: z.array(customerId).min(1).max(21),
  }),
);

export type CreateSelfServiceUserRequest = z.infer<typeof createSelfServiceUserRequest>;

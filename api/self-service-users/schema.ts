import { z } from 'zod';
import { SELF_SERVICE_ROLES } from '../../messages/self-service-users';
import { customerId, idempotencyKey, plainText } from '../http/fields';
import { named } from '../openapi/registry';

const selfServiceRole = named('SelfServiceRole', z.enum(SELF_SERVICE_ROLES));

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
    roles: z.array(selfServiceRole).max(10).default([]),
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

/** PUT /v1/users/{userId}: the roles and/or the clients, each replaced as a set. */
export const updateSelfServiceUserRequest = named(
  'UpdateSelfServiceUserRequest',
  z
    .strictObject({
      requestId: idempotencyKey.optional(),
      roles: z.array(selfServiceRole).max(10).optional(),
      clients: z.array(customerId).min(1).max(21).optional(),
    })
    .refine((b) => b.roles !== undefined || b.clients !== undefined, {
      message: 'roles or clients is required',
    }),
);

export type UpdateSelfServiceUserRequest = z.infer<typeof updateSelfServiceUserRequest>;

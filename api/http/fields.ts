import { z } from 'zod';
import { named } from '../openapi/registry';

export const e164 = named(
  'E164Phone',
  z.string().regex(/^\+[1-9]\d{7,14}$/, 'an E.164 phone number such as +254700100001'),
);
export const idempotencyKey = named(
  'IdempotencyKey',
  z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, '8–64 characters from letters, digits and . _ : -'),
);
export const customerId = named(
  'CustomerId',
  z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'a core-banking customer id'),
);

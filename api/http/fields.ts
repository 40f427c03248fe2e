import { z } from 'zod';
import { canonicalPhone } from '../../rules/phone';
import { named } from '../openapi/registry';

/** Canonical E.164 from here on (rules/phone.ts): one number, one spelling, one budget. */
export const e164 = named(
  'E164Phone',
  z
    .string()
    .regex(/^\+[1-9]\d{7,14}$/, 'an E.164 phone number such as +254700100001')
    .overwrite(canonicalPhone),
);
export const idempotencyKey = named(
  'IdempotencyKey',
  z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, '8–64 characters from letters, digits and . _ : -'),
);
export const customerId = named(
  'CustomerId',
  z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'a core-banking customer id'),
);
export const userId = z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'an IB/MB user id');

/** A verified MFA challenge named as the proof of a change: its serviceKey and securityKey. */
export const challengeProof = z.strictObject({
  serviceKey: z.uuid(),
  securityKey: z.string().min(16).max(128),
});

/** Free text printed on letters and screens: no control characters, no bidi overrides. */
export const plainText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(
      // eslint-disable-next-line no-control-regex -- refusing control characters is the point
      /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/,
      'text without control or bidi-override characters',
    );

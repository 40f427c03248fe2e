import { z } from 'zod';
import { MFA_PURPOSES, REGISTERED_CONTACT_PURPOSES } from '../../messages/mfa';
import { e164, userId } from '../http/fields';
import { named } from '../openapi/registry';

// userId: the one rule every route applies (api/http/fields.ts).
export { userId };
/** Any string: a malformed key is a wrong key (403), not a malformed request. */
export const securityKey = z.string().min(1).max(256);
export const mfaPurpose = named('MfaPurpose', z.enum(MFA_PURPOSES));
export const otp = z.string().regex(/^\d{4,10}$/, '4–10 digits');
export const email = z.email().max(254);

/**
 * POST /mfa/challenges. LOGIN and UPDATE_SECURITY_QUESTIONS codes go to the user's
 * registered contacts only; UPDATE_PHONE goes to the new phone of a named user;
 * ONBOARDING to the phone/email given, or to a user's registered contacts.
 */
export const createChallengeRequest = named(
  'CreateChallengeRequest',
  z
    .strictObject({
      purpose: mfaPurpose,
      phone: e164.optional(),
      email: email.optional(),
      userId: userId.optional(),
    })
    .superRefine((r, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (REGISTERED_CONTACT_PURPOSES.includes(r.purpose)) {
        if (!r.userId) issue('userId', `required for ${r.purpose}`);
        if (r.phone) issue('phone', `${r.purpose} codes go to the registered contacts only`);
        if (r.email) issue('email', `${r.purpose} codes go to the registered contacts only`);
      } else if (r.purpose === 'UPDATE_PHONE') {
        if (!r.userId) issue('userId', 'required for UPDATE_PHONE');
        if (!r.phone) issue('phone', 'the new phone is required for UPDATE_PHONE');
        if (r.email) issue('email', 'UPDATE_PHONE codes go to the new phone only');
      } else if (!r.phone && !r.email && !r.userId) {
        issue('phone', 'a phone, an email or a userId is required');
      }
    }),
);
export type CreateChallengeRequest = z.infer<typeof createChallengeRequest>;

export const verifyRequest = named('VerifyChallengeRequest', z.strictObject({ securityKey, otp }));
export type VerifyRequest = z.infer<typeof verifyRequest>;

export const resendRequest = named('ResendChallengeRequest', z.strictObject({ securityKey }));
export type ResendRequest = z.infer<typeof resendRequest>;

/** DELETE: the key in the body, or in the X-Security-Key header. */
export const cancelRequest = z.strictObject({ securityKey: securityKey.optional() });

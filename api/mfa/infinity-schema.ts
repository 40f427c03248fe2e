import { z } from 'zod';
import { named } from '../openapi/registry';

/**
 * Temenos Infinity DbxUser request bodies. Read tolerantly, as Infinity clients send
 * extra fields; MFAAttributes may arrive as an object or as a JSON string (Infinity's
 * Kony-era clients stringify nested parameters).
 */
const jsonString = (value: unknown) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const str = (max: number) => z.string().trim().min(1).max(max);

/**
 * A contact's referenceId as this service showed it in `customerCommunication` (Infinity
 * clients may send it as a number).
 */
const referenceId = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a referenceId from customerCommunication'),
  );

const mfaAttributes = z.preprocess(
  jsonString,
  named(
    'InfinityMfaAttributes',
    z.looseObject({
      serviceKey: str(64).optional(),
      OTP: z.preprocess(
        jsonString,
        z
          .looseObject({
            securityKey: str(256).optional(),
            // The chosen contacts: the code goes to these only (absent: every contact).
            phone: referenceId.optional(),
            email: referenceId.optional(),
            otp: z
              .string()
              .trim()
              .regex(/^\d{4,10}$/, '4–10 digits')
              .optional(),
          })
          .optional(),
      ),
    }),
  ),
);

/** E.164 with or without the leading +, as Infinity's apps send it. */
const phone = z
  .string()
  .trim()
  .regex(/^\+?[1-9]\d{7,14}$/, 'an international phone number such as +254700100001')
  .transform((p) => (p.startsWith('+') ? p : `+${p}`));

/** requestOTPPreLoginMB / requestUpdateSecurityQuestionsOTP: a serviceKey makes it a resend. */
export const infinityRequestOtp = named(
  'InfinityRequestOtp',
  z.looseObject({
    Phone: phone.optional(),
    MFAAttributes: mfaAttributes.optional(),
  }),
);
export type InfinityRequestOtp = z.infer<typeof infinityRequestOtp>;

/** verifyOTPPreLoginMB / verifyUpdateSecurityQuestionsOTP. */
export const infinityVerifyOtp = named(
  'InfinityVerifyOtp',
  z.looseObject({
    Phone: phone.optional(),
    MFAAttributes: mfaAttributes,
  }),
);
export type InfinityVerifyOtp = z.infer<typeof infinityVerifyOtp>;

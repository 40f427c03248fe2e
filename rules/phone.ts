import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Why a number may not receive codes, or undefined when it may. */
export type PhoneRefusal = 'NOT_A_VALID_NUMBER' | 'CANNOT_RECEIVE_SMS' | 'COUNTRY_NOT_ALLOWED';

// Types that can take an SMS; fixed lines, premium rate, shared cost and the like cannot.
const SMS_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * The one rule for a phone number we are asked to text (libphonenumber's full metadata):
 * a valid number of a type that receives SMS, in one of the allowed countries (ISO 3166
 * alpha-2). Toll fraud pumps premium and foreign numbers; this refuses them before any send.
 */
export function phoneRefusal(phone: string, allowedCountries: readonly string[]): PhoneRefusal | undefined {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed?.isValid()) return 'NOT_A_VALID_NUMBER';
  if (!SMS_TYPES.has(parsed.getType() ?? '')) return 'CANNOT_RECEIVE_SMS';
  if (!parsed.country || !allowedCountries.includes(parsed.country)) return 'COUNTRY_NOT_ALLOWED';
  return undefined;
}

/** An ISO 3166 alpha-2 code libphonenumber knows (MFA_ALLOWED_COUNTRIES is checked with it). */
export const isKnownCountry = (code: string): boolean => isSupportedCountry(code);

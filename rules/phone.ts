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
  // Only the canonical spelling is accepted here: callers canonicalise first (canonicalPhone).
  if (parsed.number !== phone) return 'NOT_A_VALID_NUMBER';
  if (!SMS_TYPES.has(parsed.getType() ?? '')) return 'CANNOT_RECEIVE_SMS';
  if (!parsed.country || !allowedCountries.includes(parsed.country)) return 'COUNTRY_NOT_ALLOWED';
  return undefined;
}

/**
 * The one spelling of a number: E.164 as libphonenumber reads it (a trunk `0` after the
 * country code, spaces and dashes dropped), so `+2540712200000` and `+254712200000` are one
 * number with one budget and one digest. Applied before a number is validated, digested,
 * counted, stored or sent; a number libphonenumber cannot read is left as typed (and refused).
 */
export function canonicalPhone(phone: string): string {
  return parsePhoneNumberFromString(phone)?.number ?? phone;
}

/** An ISO 3166 alpha-2 code libphonenumber knows (MFA_ALLOWED_COUNTRIES is checked with it). */
export const isKnownCountry = (code: string): boolean => isSupportedCountry(code);

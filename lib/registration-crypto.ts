import { createHmac } from 'node:crypto';
import { sealer } from './sealing';
import { hmacHex } from './server-key';

/**
 * Self-registration's secrets. The API seals the chosen password (and the identity typed)
 * under a key derived from the server key with a label of its own, before anything enters
 * a workflow: a decoded history holds only the sealed blob. Workflows hold no key at all,
 * the payload codec (and so the Temporal UI) holds other keys; only the worker's activities,
 * which share the server key, can open it.
 */
/** Sealed for one purpose of one registration (`context` is authenticated data). */
export const passwordContext = (registrationId: string) => `registration-password:${registrationId}`;
export const identityContext = (registrationId: string) => `registration-identity:${registrationId}`;

const registrationSealer = sealer('registration-secret-seal', 'r1');
export const sealSecret = registrationSealer.seal;
export const unsealSecret = registrationSealer.unseal;

/** What the customer typed to prove who they are (Candescent's registration data); sealed. */
export interface RegistrationIdentity {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  nationalIdLast4?: string;
  /** The full Social Security (national id) number. */
  socialSecurityNumber?: string;
  postalAddress?: { street: string; city: string; state?: string; zipCode?: string; country: string };
  phoneNumber?: string;
  emailAddress?: string;
  mothersMaidenName?: string;
}

/** Names compare case-, accent- and space-insensitively, as a branch officer would. */
export const normalizedName = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * The key of the per-identity attempt limit: the person aimed at (name and date of birth),
 * not the guess, so varying the national-id digits spends the same budget. Keyed under the
 * server key: the workflow id holds no personal data and cannot be computed without it.
 */
export function identityDigest(
  serverKey: Buffer,
  identity: Pick<RegistrationIdentity, 'firstName' | 'lastName' | 'dateOfBirth'>,
): string {
  return hmacHex(
    serverKey,
    `registration-identity:${normalizedName(identity.firstName)}|${normalizedName(identity.lastName)}|${identity.dateOfBirth}`,
  );
}

/**
 * A registration's ids and securityKey, derived from the caller and its requestId: a retry
 * with the same requestId names the same registration and gets the same keys back, while
 * nobody without the server key can compute them.
 */
export function registrationKeys(
  serverKey: Buffer,
  caller: string,
  requestId: string,
): { registrationId: string; serviceKey: string; securityKey: string } {
  const mac = (label: string) =>
    createHmac('sha256', serverKey).update(`${label}:${caller}:${requestId}`).digest();
  return {
    registrationId: uuid(mac('registration-id')),
    serviceKey: uuid(mac('registration-service-key')),
    securityKey: mac('registration-security-key').toString('base64url'),
  };
}

function uuid(bytes: Buffer): string {
  const h = Buffer.from(bytes.subarray(0, 16));
  h[6] = ((h[6] as number) & 0x0f) | 0x80; // version 8 (RFC 9562: custom)
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

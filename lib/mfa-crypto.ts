import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { sealer } from './sealing';
import { hmacHex } from './server-key';

/**
 * The MFA secrets' cryptography, shared by the API (digests of what callers send) and
 * the activities (digests and sealing of what they generate). Workflows only ever see
 * the outputs: digests to compare and sealed blobs to hand back to an activity.
 */

/** A fresh securityKey: 256 bits from the CSPRNG, returned to the caller once. */
export function newSecurityKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The serviceKey and securityKey of a create retried under an Idempotency-Key: derived from
 * the server key, the caller and the key, so the retry names the same challenge and gets the
 * same securityKey back, while nobody without the server key can compute either.
 */
export function idempotentChallengeKeys(
  serverKey: Buffer,
  caller: string,
  key: string,
): { serviceKey: string; securityKey: string } {
  const mac = (label: string) => createHmac('sha256', serverKey).update(`${label}:${caller}:${key}`).digest();
  const h = mac('mfa-create-service-key').subarray(0, 16);
  h[6] = ((h[6] as number) & 0x0f) | 0x80; // version 8 (RFC 9562: custom)
  h[8] = ((h[8] as number) & 0x3f) | 0x80; // variant 10
  const hex = h.toString('hex');
  const serviceKey = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { serviceKey, securityKey: mac('mfa-create-security-key').toString('base64url') };
}

export function securityKeyDigest(serverKey: Buffer, securityKey: string): string {
  return hmacHex(serverKey, `mfa-security-key:${securityKey}`);
}

/** The digest the workflow compares: bound to the challenge, so a digest is useless elsewhere. */
export function otpDigest(serverKey: Buffer, serviceKey: string, otp: string): string {
  return hmacHex(serverKey, `${serviceKey}:${otp}`);
}

/** A destination's keyed digest: quota key and consume binding, with no PII in it. */
export function destinationDigest(serverKey: Buffer, destination: string): string {
  const normalized = destination.includes('@') ? destination.trim().toLowerCase() : destination.trim();
  return hmacHex(serverKey, `mfa-destination:${normalized}`);
}

/**
 * The code of one send (`sendRef` names the challenge run and the send), derived under a
 * key of its own: every retry of that send computes the same code, so a retry never puts
 * a second, different code in the customer's hands; nobody without the server key can.
 * Digits come from HMAC output bytes by rejection sampling (no modulo bias).
 */
export function derivedOtp(serverKey: Buffer, sendRef: string, length: number): string {
  if (!Number.isInteger(length) || length < 4 || length > 10) throw new Error('OTP length must be 4–10');
  const key = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'mfa-otp-derive', 32));
  let code = '';
  for (let block = 0; code.length < length; block++) {
    for (const byte of createHmac('sha256', key).update(`${sendRef}:${block}`).digest()) {
      if (byte >= 250) continue;
      code += String(byte % 10);
      if (code.length === length) break;
    }
  }
  return code;
}

/**
 * Sealed codes and first-time passwords: under the key derived for 'mfa-otp-seal';
 * `context` (the serviceKey, or the process) is authenticated data, so a blob sealed for
 * one challenge does not open for another.
 */
const otpSealer = sealer('mfa-otp-seal', 'v1');
export const seal = otpSealer.seal;
export const unseal = otpSealer.unseal;

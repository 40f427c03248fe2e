import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under a key derived from the server key for one use (`label`), so a blob
 * sealed for one use never opens for another; `context` is authenticated data, binding the
 * blob to the process it was made for. The one sealing every secret in history goes through.
 */
export function sealer(label: string, version: string) {
  const key = (serverKey: Buffer) => Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), label, 32));
  return {
    seal(serverKey: Buffer, context: string, plaintext: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key(serverKey), iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${version}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    unseal(serverKey: Buffer, context: string, sealed: string): string {
      const [v, data] = sealed.split('.');
      if (v !== version || !data) throw new Error(`not a sealed ${label} value`);
      const raw = Buffer.from(data, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error(`sealed ${label} value too short`);
      const decipher = createDecipheriv('aes-256-gcm', key(serverKey), raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

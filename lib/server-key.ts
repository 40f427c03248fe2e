import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The server's HMAC key (request digests for idempotency, OTP digests): from
 * SERVER_HMAC_KEY (base64), else generated once under DATA_DIR/keys.
 */
export function loadServerKey(opts: { configured?: string; keysDir: string }): Buffer {
  if (opts.configured) return atLeast32(Buffer.from(opts.configured, 'base64'));
  const file = path.join(opts.keysDir, 'server-hmac.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(opts.keysDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return atLeast32(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
}

/** Config checks SERVER_HMAC_KEY strictly; this also catches a damaged key file. */
function atLeast32(key: Buffer): Buffer {
  if (key.length < 32) throw new Error(`server HMAC key: at least 32 bytes required, got ${key.length}`);
  return key;
}

export function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

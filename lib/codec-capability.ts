import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Temporal UI of `npm start` has no login, so the launcher gives it a capability: a
 * random secret on the codec path (/codec/k/<secret>/decode) that grants decoding and
 * nothing else. The UI's codec URL is fixed when the dev server starts, so the secret
 * stays the same while its validity slides: the launcher writes an expiry under
 * DATA_DIR/keys and pushes it forward well before it passes; if the launcher stops,
 * the capability dies within one TTL. Only the secret's SHA-256 is stored.
 */
const FILE = 'codec-capability.json';

/** How long a capability stays valid without renewal: a stopped keeper's dies within it. */
export const CODEC_CAPABILITY_TTL_MS = 60 * 60 * 1000;

interface Stored {
  digest: string;
  expiresAt: number;
}

const digestOf = (secret: string) => createHash('sha256').update(secret).digest();

function write(keysDir: string, stored: Stored): void {
  fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  // Rename is atomic: the API never reads a half-written file.
  const tmp = path.join(keysDir, `${FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
  fs.renameSync(tmp, path.join(keysDir, FILE));
}

/** A new capability valid for `ttlMs`; any earlier one stops working. */
export function issueCodecCapability(keysDir: string, ttlMs: number, now = Date.now()): string {
  const secret = randomBytes(32).toString('base64url');
  write(keysDir, { digest: digestOf(secret).toString('hex'), expiresAt: now + ttlMs });
  return secret;
}

/** Issues a capability and keeps it valid: renewed every `ttlMs / 3` until stop(), which revokes it. */
export function keepCodecCapability(keysDir: string, ttlMs: number): { secret: string; stop: () => void } {
  const secret = issueCodecCapability(keysDir, ttlMs);
  const digest = digestOf(secret).toString('hex');
  const timer = setInterval(() => write(keysDir, { digest, expiresAt: Date.now() + ttlMs }), ttlMs / 3);
  timer.unref();
  return {
    secret,
    stop: () => {
      clearInterval(timer);
      fs.rmSync(path.join(keysDir, FILE), { force: true });
    },
  };
}

/** Whether `secret` is the current, unexpired capability (read fresh each time: it is renewed on disk). */
export async function isCodecCapability(keysDir: string, secret: string, now = Date.now()): Promise<boolean> {
  let stored: Stored;
  try {
    stored = JSON.parse(await fs.promises.readFile(path.join(keysDir, FILE), 'utf8')) as Stored;
  } catch {
    return false; // none issued (production has no launcher), or revoked
  }
  const expected = Buffer.from(String(stored.digest), 'hex');
  const given = digestOf(secret);
  return (
    typeof stored.expiresAt === 'number' &&
    stored.expiresAt > now &&
    expected.length === given.length &&
    timingSafeEqual(expected, given)
  );
}

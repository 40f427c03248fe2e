import crypto from 'node:crypto';

/**
 * scrypt password hashes, computed on libuv's threadpool so a hash never blocks
 * the event loop. The cost N is configurable (SIMULATOR_SCRYPT_N): in production
 * T24 hashes on its own hardware, while the benchmark runs the simulator on the
 * same cores as the service and lowers N so T24's hashing is not charged to the
 * service. Each hash records its own parameters, so any N still verifies.
 */
export const DEFAULT_SCRYPT_N = 16_384;
export const MIN_SCRYPT_N = 1024;
export const MAX_SCRYPT_N = 1_048_576;

const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/** N must be a power of two; the bounds keep hashes meaningful and memory (128·r·N bytes) sane. */
export function isValidScryptN(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_SCRYPT_N && n <= MAX_SCRYPT_N && (n & (n - 1)) === 0;
}

/** `scrypt$N$r$p$<salt b64>$<hash b64>` with a random 16-byte salt. */
export async function hashPassword(password: string, N: number = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPasswordHash(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !hash || !plausible(params)) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length === 0) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, params);
  return crypto.timingSafeEqual(actual, expected);
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** A damaged hash must not make verification allocate gigabytes. */
function plausible({ N, r, p }: ScryptParams): boolean {
  const small = (v: number) => Number.isInteger(v) && v >= 1 && v <= 16;
  return isValidScryptN(N) && small(r) && small(p);
}

function scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const { N, r, p } = params;
  // OpenSSL needs 128·r·(N + p + 2) bytes; Node's default cap (32 MiB) is too low past N = 2^14.
  const maxmem = 128 * r * (N + p + 2);
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, keyLength, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

import { createHmac, hkdfSync, randomInt } from 'node:crypto';

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';
const ALL = LETTERS + DIGITS;

/** A uniform integer in [0, n): from the CSPRNG by default. */
type IndexSource = (n: number) => number;

/**
 * A first-time password: `length` (≥ 12) characters with at least two letters and two
 * digits, no look-alike characters (it is typed from an SMS).
 */
export function generateFirstTimePassword(length = 14, index: IndexSource = randomInt): string {
  if (length < 12) throw new Error('first-time passwords are at least 12 characters');
  const pick = (set: string) => set[index(set.length)] as string;
  const chars = [pick(LETTERS), pick(LETTERS), pick(DIGITS), pick(DIGITS)];
  while (chars.length < length) chars.push(pick(ALL));
  // Fisher–Yates, so the guaranteed classes are not at fixed places.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = index(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/**
 * The first-time password of one onboarding's user, derived from the server key (HKDF
 * label `first-time-password`) and `ref`: every run of that onboarding, an ops reset
 * included, computes the same password, so a reset never puts a second one in the
 * customer's hands; nobody without the server key can compute it. HMAC output bytes feed
 * the same construction as the random one, by rejection sampling (no modulo bias).
 */
export function derivedFirstTimePassword(serverKey: Buffer, ref: string, length = 14): string {
  const key = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'first-time-password', 32));
  let block = 0;
  let bytes: Buffer = Buffer.alloc(0);
  let at = 0;
  const next = (): number => {
    if (at === bytes.length) {
      bytes = createHmac('sha256', key).update(`${ref}:${block++}`).digest();
      at = 0;
    }
    return bytes[at++] as number;
  };
  return generateFirstTimePassword(length, (n) => {
    const limit = 256 - (256 % n);
    for (;;) {
      const byte = next();
      if (byte < limit) return byte % n;
    }
  });
}

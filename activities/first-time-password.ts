import { randomInt } from 'node:crypto';

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';
const ALL = LETTERS + DIGITS;

/**
 * A first-time password from a CSPRNG: `length` (≥ 12) characters with at least two
 * letters and two digits, no look-alike characters (it is typed from an SMS).
 */
export function generateFirstTimePassword(length = 14): string {
  if (length < 12) throw new Error('first-time passwords are at least 12 characters');
  const pick = (set: string) => set[randomInt(set.length)] as string;
  const chars = [pick(LETTERS), pick(LETTERS), pick(DIGITS), pick(DIGITS)];
  while (chars.length < length) chars.push(pick(ALL));
  // Fisher–Yates with the CSPRNG, so the guaranteed classes are not at fixed places.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/**
 * Username policy (docs/api.md, "Username policy"): 8–20 characters from [a-z0-9._-],
 * starting with a letter, not all digits, no repeated or trailing specials, never the
 * customer id. Usernames are compared case-insensitively by core banking.
 */
export const USERNAME_MIN = 8;
export const USERNAME_MAX = 20;
const SHAPE = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

export function usernameProblem(candidate: string, customerId: string): string | null {
  const u = candidate.toLowerCase();
  if (u.length < USERNAME_MIN || u.length > USERNAME_MAX)
    return `must be ${USERNAME_MIN}–${USERNAME_MAX} characters`;
  if (/^\d+$/.test(u)) return 'must not be all digits';
  if (!SHAPE.test(u)) return 'letters, digits and single . _ - between them, starting with a letter';
  if (u === customerId.toLowerCase()) return 'must not be the customer id';
  return null;
}

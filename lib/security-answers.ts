import crypto from 'node:crypto';

/**
 * Security answers are typed by people: the same answer must hash the same whatever its
 * case, spacing or Unicode form. Applied before hashing and before any later check.
 */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/**
 * A salted scrypt hash of the normalised answer, `scrypt$N$r$p$<salt b64>$<hash b64>`
 * (the format docs/esb-contract.md names): a random salt per answer, so equal answers of
 * two users, or of one user twice, never share a hash.
 */
export async function hashAnswer(answer: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(
      normaliseAnswer(answer),
      salt,
      KEY_LENGTH,
      { N, r: R, p: P, maxmem: 128 * R * (N + P + 2) },
      (e, k) => (e ? reject(e) : resolve(k)),
    ),
  );
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

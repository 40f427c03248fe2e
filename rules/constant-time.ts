/**
 * Compares two digests in time that depends only on their lengths, not on where they
 * first differ, so response timing cannot be used to guess a digest byte by byte.
 * Pure TypeScript: workflows may not use Node's crypto.timingSafeEqual.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  // A length difference is folded into the result instead of returning early.
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

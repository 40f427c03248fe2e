import { createHash } from 'node:crypto';
import type { Principal, TokenVerifier } from './auth';

export interface TokenCacheOptions {
  /** Longest a verified token is trusted without checking its signature again. */
  ttlMs: number;
  /** Entries kept; the least recently used goes first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * Remembers tokens that verified, so a channel reusing its token skips the signature check
 * (a P-256 verify is the API's largest CPU cost per request). An entry lives until the
 * token's own expiry or `ttlMs`, whichever is first, so a key withdrawn from the JWKS stops
 * working within `ttlMs`. Keyed by the token's SHA-256: bearer tokens are not kept in memory.
 * Refusals are never cached.
 */
export function cachingVerifier(inner: TokenVerifier, o: TokenCacheOptions): TokenVerifier {
  const now = o.now ?? Date.now;
  const entries = new Map<string, Entry>();
  return {
    async verify(token) {
      const key = createHash('sha256').update(token).digest('base64url');
      const hit = entries.get(key);
      if (hit && hit.until > now()) {
        // Re-insert: Map order is recency order, so the oldest key is the LRU one.
        entries.delete(key);
        entries.set(key, hit);
        return hit.principal;
      }
      entries.delete(key);
      const principal = await inner.verify(token);
      const until = Math.min(principal.expiresAt, now() + o.ttlMs);
      if (until > now()) {
        entries.set(key, { principal, until });
        if (entries.size > o.maxEntries) entries.delete(entries.keys().next().value as string);
      }
      return principal;
    },
  };
}

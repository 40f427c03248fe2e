import { InvalidTokenError, type Principal, type TokenVerifier } from '../../api/http/auth';
import { cachingVerifier } from '../../api/http/token-cache';

/** A verifier that counts its signature checks; tokens starting "bad" are refused. */
function countingVerifier(expiresAt: (token: string) => number) {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async verify(token) {
      calls.push(token);
      if (token.startsWith('bad')) throw new InvalidTokenError('token invalid');
      const p: Principal = {
        subject: `sub-${token}`,
        scopes: new Set(['mfa:write']),
        expiresAt: expiresAt(token),
      };
      return p;
    },
  };
  return { verifier, calls };
}

describe('cachingVerifier', () => {
  let clock = 1_000_000;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('checks a token once within the TTL and again after it', async () => {
    const { verifier, calls } = countingVerifier(() => clock + 3_600_000);
    const cached = cachingVerifier(verifier, { ttlMs: 60_000, maxEntries: 10, now });
    expect((await cached.verify('a')).subject).toBe('sub-a');
    await cached.verify('a');
    clock += 59_999;
    await cached.verify('a');
    expect(calls).toEqual(['a']);
    clock += 1;
    await cached.verify('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('never trusts a token past its own expiry', async () => {
    const exp = clock + 5_000;
    const { verifier, calls } = countingVerifier(() => exp);
    const cached = cachingVerifier(verifier, { ttlMs: 60_000, maxEntries: 10, now });
    await cached.verify('a');
    clock = exp;
    await cached.verify('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('does not cache a token already past its expiry (within clock tolerance), nor refusals', async () => {
    const { verifier, calls } = countingVerifier(() => clock - 1);
    const cached = cachingVerifier(verifier, { ttlMs: 60_000, maxEntries: 10, now });
    await cached.verify('a');
    await cached.verify('a');
    await expect(cached.verify('bad')).rejects.toThrow(InvalidTokenError);
    await expect(cached.verify('bad')).rejects.toThrow(InvalidTokenError);
    expect(calls).toEqual(['a', 'a', 'bad', 'bad']);
  });

  it('evicts the least recently used token beyond maxEntries', async () => {
    const { verifier, calls } = countingVerifier(() => clock + 3_600_000);
    const cached = cachingVerifier(verifier, { ttlMs: 60_000, maxEntries: 2, now });
    await cached.verify('a');
    await cached.verify('b');
    await cached.verify('a'); // a is now the most recent
    await cached.verify('c'); // evicts b
    await cached.verify('a');
    await cached.verify('b');
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });
});

import { shardCaps } from '../../config/mfa-policy';
import { clientNetwork } from '../../api/mfa/caller-quota';

describe('an exact budget over shards', () => {
  it('splits every budget N into caps that sum to N, never more shards than sends', () => {
    for (let shards = 1; shards <= 64; shards++) {
      for (let limit = 1; limit <= 200; limit++) {
        const caps = shardCaps(limit, shards);
        expect(caps.reduce((a, b) => a + b, 0)).toBe(limit);
        expect(caps.length).toBe(Math.min(shards, limit));
        expect(Math.min(...caps)).toBeGreaterThanOrEqual(1);
        expect(Math.max(...caps) - Math.min(...caps)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps a small budget on one entity', () => {
    expect(shardCaps(1, 8)).toEqual([1]);
    expect(shardCaps(3, 8)).toEqual([1, 1, 1]);
    expect(shardCaps(10, 4)).toEqual([3, 3, 2, 2]);
  });
});

describe('the client network behind a trusted proxy', () => {
  it('is an IPv4 address, or the /64 of an IPv6 one', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });
});

import { FullShards } from '../../clients/full-shards';
import { quotaVerdict } from '../../workflows/mfa/quota-window';

describe('the shards an API process knows full', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('skips a shard until it frees a slot, re-asking it at least every minute', () => {
    const full = new FullShards(100, 60_000, clock);
    expect(full.fullUntil('s0')).toBeUndefined();
    full.learn('s0', 30);
    expect(full.fullUntil('s0')).toBe(now + 30_000);
    now += 29_999;
    expect(full.fullUntil('s0')).toBe(now + 1);
    now += 1;
    expect(full.fullUntil('s0')).toBeUndefined();

    full.learn('s1', 3_600);
    now += 59_999;
    expect(full.fullUntil('s1')).toBeDefined();
    now += 1;
    // Still full by its refusal, but asked again (an ops reset of its run counts within a minute).
    expect(full.fullUntil('s1')).toBeUndefined();
  });

  it('keeps at most maxEntries hints, the oldest learnt going first', () => {
    const full = new FullShards(3, 60_000, clock);
    for (const s of ['a', 'b', 'c', 'd']) full.learn(s, 600);
    expect(full.size).toBe(3);
    expect(full.fullUntil('a')).toBeUndefined();
    expect(full.fullUntil('d')).toBeDefined();
    full.learn('b', 600); // learnt again: newest
    full.learn('e', 600);
    expect(full.fullUntil('c')).toBeUndefined();
    expect(full.fullUntil('b')).toBeDefined();
  });

  it('holds what the quota window says: a refused shard admits nothing until its retryAfter', () => {
    // The quota has no release: sends only join and leave by time, so a refusal's
    // retryAfterSeconds bounds how long every later ask is refused too.
    const policy = { maxPerWindow: 3, windowMinutes: 60, maxPerDay: 72 };
    const t0 = 5_000_000_000;
    const sends = [0, 7, 11, 13].map((m, i) => ({ at: t0 + m * 60_000, ref: `r${i}` }));
    const asked = t0 + 20 * 60_000;
    const verdict = quotaVerdict(sends, asked, policy);
    if (verdict.allowed) throw new Error('expected a refusal');
    const freeAt = asked + verdict.retryAfterSeconds * 1000;
    for (let t = asked; t < freeAt - 1000; t += 30_000) {
      expect(quotaVerdict(sends, t, policy).allowed).toBe(false);
    }
    expect(quotaVerdict(sends, freeAt, policy).allowed).toBe(true);
  });
});

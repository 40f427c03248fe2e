import { createCallerRateLimit } from '../../api/http/caller-rate-limit';

describe('the per-caller token bucket', () => {
  it('admits the ceiling per minute, then refills at its rate, per caller', () => {
    const take = createCallerRateLimit({ API_CALLER_MAX_PER_MINUTE: 60, TRUST_PROXY: false });
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) expect(take('a', t0)).toBeNull();
    expect(take('a', t0)).toBe(1); // one token a second
    expect(take('b', t0)).toBeNull(); // another caller has its own
    expect(take('a', t0 + 1_000)).toBeNull();
    expect(take('a', t0 + 1_000)).toBe(1);
    // Never more than the ceiling, however long the caller was idle.
    for (let i = 0; i < 60; i++) expect(take('a', t0 + 3_600_000)).toBeNull();
    expect(take('a', t0 + 3_600_000)).toBe(1);
  });
});

import { summarize } from '../../bench/stats';

describe('bench summaries', () => {
  it('records the latency at every percentile 1..100 by nearest rank', () => {
    // 1..200 shuffled: summarize sorts, and rank ⌈p/100 · 200⌉ holds the value 2p.
    const latencies = Array.from({ length: 200 }, (_, i) => ((i * 7) % 200) + 1);
    const s = summarize(latencies, 0, 1000);

    expect(s.distribution).toHaveLength(100);
    expect(s.distribution[0]).toBe(2);
    expect(s.distribution[49]).toBe(100);
    expect(s.distribution[49]).toBe(s.p50Ms);
    expect(s.distribution[98]).toBe(s.p99Ms);
    expect(s.distribution[99]).toBe(200);
  });

  it('rounds each percentile to 2 decimals, repeats values when there are fewer than 100 samples', () => {
    const s = summarize([1.23456, 9.87654], 0, 10);

    expect(s.distribution).toHaveLength(100);
    expect(s.distribution.slice(0, 50)).toEqual(Array(50).fill(1.23));
    expect(s.distribution.slice(50)).toEqual(Array(50).fill(9.88));
  });

  it('has no distribution without samples', () => {
    expect(summarize([], 3, 10).distribution).toEqual([]);
  });
});

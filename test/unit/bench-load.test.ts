import { closedLoop, mergeLoops } from '../../bench/load';
import { round } from '../../bench/stats';

describe('bench closed loops run in blocks', () => {
  it('merges blocks into one phase: every latency, every error, the time of all blocks', async () => {
    const latencies: number[] = [];
    const first = await closedLoop({ concurrency: 2, iterations: 4, latencies }, async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
    const second = await closedLoop({ concurrency: 2, iterations: 3, latencies }, async (i) => {
      if (i === 1) throw new Error('refused');
      await new Promise((r) => setTimeout(r, 60));
    });

    const merged = mergeLoops([first, second], latencies);

    expect(latencies).toHaveLength(6);
    expect(merged.ok).toBe(6);
    expect(merged.errors).toBe(1);
    expect(merged.errorSamples).toEqual(['refused']);
    expect(merged.durationMs).toBeCloseTo(first.durationMs + second.durationMs, 1);
    expect(merged.throughput).toBeCloseTo((6 * 1000) / merged.durationMs, 1);
    // The slower block's latencies are in the merged percentiles, not only the first block's.
    // (Not a bound in ms: a timer may fire a little early against performance.now().)
    expect(merged.p99Ms).toBe(round(Math.max(...latencies)));
    expect(merged.p99Ms).toBeGreaterThan(first.p99Ms);
  });
});

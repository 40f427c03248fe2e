/** Latency percentiles and throughput of one measured phase. */
export interface Summary {
  /** Operations that succeeded. */
  ok: number;
  errors: number;
  durationMs: number;
  /** Successful operations per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Latency at percentiles 1..100 (nearest rank, index = percentile - 1); empty without samples. */
  distribution: number[];
}

/** Nearest-rank percentile of already sorted values (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarize(latenciesMs: readonly number[], errors: number, durationMs: number): Summary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN;
  return {
    ok: sorted.length,
    errors,
    durationMs: round(durationMs),
    throughput: round(durationMs > 0 ? (sorted.length * 1000) / durationMs : 0),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(mean),
    distribution: sorted.length
      ? Array.from({ length: 100 }, (_, i) => round(percentile(sorted, i + 1)))
      : [],
  };
}

export const round = (v: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

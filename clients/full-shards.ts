/**
 * What one API process has learnt about a caller's quota shards that are full: the send
 * that filled a shard (fullForSeconds) and each refusal (retryAfterSeconds) say when its
 * oldest binding send leaves the window, and a quota entity has no release, so until then
 * the shard stays full whatever it is asked (workflows/mfa/quota-window.ts: sends only
 * join, and leave by time). A send over budget then skips the shards known full instead
 * of asking each of them (one rejected Update, a workflow task, on every shard).
 *
 * A hint is trusted for RECHECK_MS at most, then the shard is asked again: an ops reset of
 * a caller's quota (its run terminated) takes effect within that, and a clock apart from
 * the worker's can err by no more. The shard stays the authority: a hint only refuses, it
 * never admits, so a budget of N still admits at most N. Memory is bounded: at most
 * `maxEntries` hints, the oldest learnt going first (a forgotten hint costs one more walk).
 * Each API process learns for itself.
 */
export class FullShards {
  private readonly hints = new Map<string, { fullUntil: number; recheckAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly recheckMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** When the shard frees a slot (epoch ms), or undefined when it must be asked. */
  fullUntil(shard: string): number | undefined {
    const hint = this.hints.get(shard);
    if (!hint) return undefined;
    const now = this.now();
    if (now >= hint.recheckAt || now >= hint.fullUntil) {
      this.hints.delete(shard);
      return undefined;
    }
    return hint.fullUntil;
  }

  /** The shard refused: full for retryAfterSeconds from now. */
  learn(shard: string, retryAfterSeconds: number): void {
    const now = this.now();
    const fullUntil = now + retryAfterSeconds * 1000;
    this.hints.delete(shard);
    this.hints.set(shard, { fullUntil, recheckAt: Math.min(fullUntil, now + this.recheckMs) });
    for (const oldest of this.hints.keys()) {
      if (this.hints.size <= this.maxEntries) break;
      this.hints.delete(oldest);
    }
  }

  get size(): number {
    return this.hints.size;
  }
}

import type { UserOtpLockPolicy, UserOtpLockSnapshot, UserOtpLockView } from '../../messages/mfa-user-lock';
import { DAY_MS } from './quota-window';

/** How many attempt refs are kept for de-duplication of retried records. */
const RECENT_REFS = 32;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The per-user count of wrong codes in a row, as pure code fed with workflow time. A
 * lock lasts policy.lockMinutes and, when it ends, the count starts again from zero; a
 * right code resets it; a count with no wrong code for a day is forgotten (bounded
 * state: the run can end).
 */
export class UserOtpLock {
  private s: UserOtpLockSnapshot;

  constructor(snapshot?: UserOtpLockSnapshot) {
    this.s = snapshot
      ? { ...snapshot, recentRefs: [...snapshot.recentRefs] }
      : { consecutiveFailures: 0, lastFailureAt: null, lockedUntil: null, recentRefs: [] };
  }

  snapshot(): UserOtpLockSnapshot {
    return { ...this.s, recentRefs: [...this.s.recentRefs] };
  }

  view(): UserOtpLockView {
    return { consecutiveFailures: this.s.consecutiveFailures, lockedUntil: iso(this.s.lockedUntil) };
  }

  isLocked(nowMs: number): boolean {
    return this.s.lockedUntil !== null && nowMs < this.s.lockedUntil;
  }

  /** Seconds until the lock ends (at least 1), or null when not locked. */
  retryAfterSeconds(nowMs: number): number | null {
    if (!this.isLocked(nowMs)) return null;
    return Math.max(1, Math.ceil(((this.s.lockedUntil as number) - nowMs) / 1000));
  }

  seen(ref: string): boolean {
    return this.s.recentRefs.includes(ref);
  }

  /** A wrong code: counted once per ref; the count reaching the maximum locks. */
  fail(ref: string, nowMs: number, policy: UserOtpLockPolicy): UserOtpLockView {
    this.tick(nowMs);
    if (this.remember(ref)) {
      this.s.consecutiveFailures++;
      this.s.lastFailureAt = nowMs;
      if (this.s.consecutiveFailures >= policy.maxConsecutiveFailures) {
        this.s.lockedUntil = nowMs + policy.lockMinutes * 60_000;
      }
    }
    return this.view();
  }

  /** A right code: the count starts again. */
  succeed(ref: string, nowMs: number): UserOtpLockView {
    this.tick(nowMs);
    if (this.remember(ref)) {
      this.s.consecutiveFailures = 0;
      this.s.lastFailureAt = null;
    }
    return this.view();
  }

  /** Applies the clock: an ended lock clears the count, a day-old count is forgotten. */
  tick(nowMs: number): void {
    if (this.s.lockedUntil !== null && nowMs >= this.s.lockedUntil) {
      this.s.lockedUntil = null;
      this.s.consecutiveFailures = 0;
      this.s.lastFailureAt = null;
    }
    if (
      this.s.lockedUntil === null &&
      this.s.lastFailureAt !== null &&
      nowMs >= this.s.lastFailureAt + DAY_MS
    ) {
      this.s.consecutiveFailures = 0;
      this.s.lastFailureAt = null;
    }
  }

  /** When the clock next changes something (lock end or forgetting), or null. */
  nextChangeAt(): number | null {
    if (this.s.lockedUntil !== null) return this.s.lockedUntil;
    return this.s.lastFailureAt === null ? null : this.s.lastFailureAt + DAY_MS;
  }

  /** Nothing left to remember: no count and no lock. */
  isIdle(): boolean {
    return this.s.consecutiveFailures === 0 && this.s.lockedUntil === null;
  }

  /** True when the ref is new (and now remembered). */
  private remember(ref: string): boolean {
    if (this.seen(ref)) return false;
    this.s.recentRefs = [...this.s.recentRefs, ref].slice(-RECENT_REFS);
    return true;
  }
}

import type { UserOtpLockPolicy } from '../../messages/mfa-user-lock';
import { DAY_MS } from '../../workflows/mfa/quota-window';
import { UserOtpLock } from '../../workflows/mfa/user-lock-state';

const MIN = 60_000;
const policy: UserOtpLockPolicy = { maxConsecutiveFailures: 3, lockMinutes: 30 };
const iso = (ms: number) => new Date(ms).toISOString();

describe('per-user OTP lock counting', () => {
  it('locks on the Nth wrong code in a row, for lockMinutes, with Retry-After counting down', () => {
    const lock = new UserOtpLock();
    expect(lock.fail('a', 0, policy)).toEqual({ consecutiveFailures: 1, lockedUntil: null });
    expect(lock.fail('b', MIN, policy)).toEqual({ consecutiveFailures: 2, lockedUntil: null });
    expect(lock.isLocked(MIN)).toBe(false);
    expect(lock.retryAfterSeconds(MIN)).toBeNull();
    expect(lock.fail('c', 2 * MIN, policy)).toEqual({ consecutiveFailures: 3, lockedUntil: iso(32 * MIN) });
    expect(lock.isLocked(2 * MIN)).toBe(true);
    expect(lock.retryAfterSeconds(2 * MIN)).toBe(1800);
    expect(lock.retryAfterSeconds(32 * MIN - 1)).toBe(1);
    expect(lock.isLocked(32 * MIN)).toBe(false);
  });

  it('resets the count on a right code', () => {
    const lock = new UserOtpLock();
    lock.fail('a', 0, policy);
    lock.fail('b', 1, policy);
    expect(lock.succeed('c', 2)).toEqual({ consecutiveFailures: 0, lockedUntil: null });
    expect(lock.isIdle()).toBe(true);
    lock.fail('d', 3, policy);
    expect(lock.fail('e', 4, policy).lockedUntil).toBeNull();
    expect(lock.fail('f', 5, policy).lockedUntil).toBe(iso(5 + 30 * MIN));
  });

  it('counts a retried record (same ref) once', () => {
    const lock = new UserOtpLock();
    lock.fail('a', 0, policy);
    lock.fail('a', 1, policy);
    expect(lock.fail('a', 2, policy)).toEqual({ consecutiveFailures: 1, lockedUntil: null });
    lock.fail('b', 3, policy);
    // A retried success does not reset the failures that came after it.
    lock.succeed('s', 4);
    lock.fail('c', 5, policy);
    expect(lock.succeed('s', 6).consecutiveFailures).toBe(1);
  });

  it('starts again from zero once the lock has ended', () => {
    const lock = new UserOtpLock();
    for (const ref of ['a', 'b', 'c']) lock.fail(ref, 0, policy);
    expect(lock.nextChangeAt()).toBe(30 * MIN);
    lock.tick(30 * MIN);
    expect(lock.view()).toEqual({ consecutiveFailures: 0, lockedUntil: null });
    expect(lock.isIdle()).toBe(true);
    expect(lock.fail('d', 31 * MIN, policy)).toEqual({ consecutiveFailures: 1, lockedUntil: null });
  });

  it('forgets a count with no wrong code for a day, and only then', () => {
    const lock = new UserOtpLock();
    lock.fail('a', 0, policy);
    lock.fail('b', 10, policy);
    expect(lock.nextChangeAt()).toBe(10 + DAY_MS);
    lock.tick(9 + DAY_MS);
    expect(lock.view().consecutiveFailures).toBe(2);
    lock.tick(10 + DAY_MS);
    expect(lock.isIdle()).toBe(true);
    expect(lock.nextChangeAt()).toBeNull();
  });

  it('survives continue-as-new through its snapshot, refs included', () => {
    const lock = new UserOtpLock();
    lock.fail('a', 0, policy);
    lock.fail('b', 1, policy);
    const next = new UserOtpLock(lock.snapshot());
    expect(next.fail('b', 2, policy).consecutiveFailures).toBe(2);
    expect(next.fail('c', 3, policy).lockedUntil).toBe(iso(3 + 30 * MIN));
    // The snapshot is a copy: the old instance is not changed by the new one.
    expect(lock.view().consecutiveFailures).toBe(2);
  });

  it('keeps a bounded number of refs', () => {
    const lock = new UserOtpLock();
    for (let i = 0; i < 100; i++) lock.succeed(`r${i}`, i);
    expect(lock.snapshot().recentRefs).toHaveLength(32);
    expect(lock.seen('r99')).toBe(true);
    expect(lock.seen('r0')).toBe(false);
  });
});

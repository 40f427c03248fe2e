import type { DestinationQuotaPolicy, QuotaSend } from '../../messages/mfa-quota';

export const DAY_MS = 24 * 3_600_000;

export type QuotaVerdict =
  | { allowed: true; sendsInWindow: number; sendsToday: number }
  | {
      allowed: false;
      limit: 'WINDOW' | 'DAY';
      retryAfterSeconds: number;
      sendsInWindow: number;
      sendsToday: number;
    };

/** Sends still relevant at `nowMs`: the daily window is the longest one kept. */
export function prune(sends: readonly QuotaSend[], nowMs: number): QuotaSend[] {
  return sends.filter((s) => s.at > nowMs - DAY_MS);
}

/**
 * Rolling windows: at most maxPerWindow sends in any windowMinutes and maxPerDay in any
 * 24 hours. When refused, retryAfterSeconds is when the oldest send counting against
 * the binding limit leaves its window (the later of the two when both bind).
 */
export function quotaVerdict(
  sends: readonly QuotaSend[],
  nowMs: number,
  policy: DestinationQuotaPolicy,
): QuotaVerdict {
  const windowMs = policy.windowMinutes * 60_000;
  const inWindow = sendTimes(sends, nowMs, windowMs);
  const inDay = sendTimes(sends, nowMs, DAY_MS);
  const counts = { sendsInWindow: inWindow.length, sendsToday: inDay.length };
  const freeAt: { limit: 'WINDOW' | 'DAY'; atMs: number }[] = [];
  if (inWindow.length >= policy.maxPerWindow) {
    freeAt.push({ limit: 'WINDOW', atMs: leavesWindowAt(inWindow, policy.maxPerWindow, windowMs) });
  }
  if (inDay.length >= policy.maxPerDay) {
    freeAt.push({ limit: 'DAY', atMs: leavesWindowAt(inDay, policy.maxPerDay, DAY_MS) });
  }
  if (freeAt.length === 0) return { allowed: true, ...counts };
  const binding = freeAt.reduce((a, b) => (b.atMs > a.atMs ? b : a));
  return {
    allowed: false,
    limit: binding.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((binding.atMs - nowMs) / 1000)),
    ...counts,
  };
}

/** How many sends count at `nowMs`: in the short window and in the last 24 hours. */
export function sendCounts(sends: readonly QuotaSend[], nowMs: number, windowMinutes: number) {
  return {
    sendsInWindow: sendTimes(sends, nowMs, windowMinutes * 60_000).length,
    sendsToday: sendTimes(sends, nowMs, DAY_MS).length,
  };
}

/** A send at t counts until t + window (exclusive). */
function sendTimes(sends: readonly QuotaSend[], nowMs: number, windowMs: number): number[] {
  return sends.filter((s) => s.at > nowMs - windowMs).map((s) => s.at);
}

/** When enough sends have left the window for one more to fit under `max`. */
function leavesWindowAt(times: number[], max: number, windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  // With n sends in the window, n - max + 1 must leave: the (n - max)th oldest is the last of them.
  const index = Math.max(0, sorted.length - max);
  return (sorted[index] ?? 0) + windowMs;
}

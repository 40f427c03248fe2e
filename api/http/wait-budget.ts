import type { Request } from 'express';

/** `Prefer: wait=N` (RFC 7240) in seconds, capped; the configured budget otherwise. */
export function waitBudgetMs(req: Request, defaultMs: number, maxSeconds: number): number {
  const match = /(?:^|[;,\s])wait=(\d{1,4})(?:$|[;,\s])/i.exec(req.get('prefer') ?? '');
  if (!match?.[1]) return defaultMs;
  return Math.min(Number(match[1]), maxSeconds) * 1000;
}

/**
 * `Prefer: milestone=<name>` (an RFC 7240 extension preference): answer at that milestone
 * of the process (Early Return) rather than at its outcome.
 */
export function prefersMilestone(req: Request, name: string): boolean {
  return new RegExp(`(?:^|[;,\\s])milestone=${name}(?:$|[;,\\s])`, 'i').test(req.get('prefer') ?? '');
}

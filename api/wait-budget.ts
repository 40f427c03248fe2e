import type { Request } from 'express';

/** `Prefer: wait=N` (RFC 7240) in seconds, capped; the configured budget otherwise. */
export function waitBudgetMs(req: Request, defaultMs: number, maxSeconds: number): number {
  const match = /(?:^|[;,\s])wait=(\d{1,4})(?:$|[;,\s])/i.exec(req.get('prefer') ?? '');
  if (!match?.[1]) return defaultMs;
  return Math.min(Number(match[1]), maxSeconds) * 1000;
}

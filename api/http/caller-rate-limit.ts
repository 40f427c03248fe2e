import type { RequestHandler } from 'express';
import type { Config } from '../../config';
import { preloginCaller } from '../mfa/caller-quota';
import { businessProblem } from './business-status';

/** Callers remembered at most; the least recently seen are forgotten first (a full bucket). */
const MAX_CALLERS = 100_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * A token bucket per caller (token subject, and behind TRUST_PROXY its client network) for
 * the calls no durable budget bounds: verify, resend, cancel and reads of challenges and
 * processes. A query on a closed run replays its history on a worker, so an unbounded
 * caller could keep workers busy. Per API instance and in memory: a ceiling on load, not a
 * security budget (those are durable: caller-quota.ts). 429 RATE_LIMITED with Retry-After.
 */
export function createCallerRateLimit(config: Pick<Config, 'API_CALLER_MAX_PER_MINUTE' | 'TRUST_PROXY'>) {
  const perMinute = config.API_CALLER_MAX_PER_MINUTE;
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  return function take(key: string, nowMs = Date.now()): number | null {
    const seen = buckets.get(key);
    const bucket = seen
      ? { tokens: Math.min(perMinute, seen.tokens + (nowMs - seen.atMs) * refillPerMs), atMs: nowMs }
      : { tokens: perMinute, atMs: nowMs };
    // Re-inserted: the Map's order is the order callers were last seen.
    buckets.delete(key);
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > MAX_CALLERS) buckets.delete(buckets.keys().next().value as string);
    return null;
  };
}

const limiters = new WeakMap<object, ReturnType<typeof createCallerRateLimit>>();

/**
 * The middleware, after authentication. One bucket per caller across the routers of one
 * app (they share its config object), so the native and Infinity twins spend the same one.
 */
export function callerRateLimit(config: Config): RequestHandler {
  let take = limiters.get(config);
  if (!take) limiters.set(config, (take = createCallerRateLimit(config)));
  const limit = take;
  return (req, _res, next) => {
    const caller = preloginCaller(req, config);
    const wait = limit(JSON.stringify([caller.subject, caller.network ?? null]));
    if (wait === null) return next();
    next(
      businessProblem('RATE_LIMITED', `Too many requests from this caller; retry in ${wait} s.`, {
        retryAfterSeconds: wait,
      }),
    );
  };
}

/** `auth`, then the caller's rate limit: one handler, for routers that name their guard once. */
export function limitedAfter(auth: RequestHandler, config: Config): RequestHandler {
  const limit = callerRateLimit(config);
  return (req, res, next) => {
    void Promise.resolve(auth(req, res, (err?: unknown) => (err ? next(err) : limit(req, res, next)))).catch(
      next,
    );
  };
}

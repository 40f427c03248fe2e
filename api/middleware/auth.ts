import type { RequestHandler } from 'express';
import { InvalidTokenError, type Principal, type Scope, type TokenVerifier } from '../auth';
import { problems } from '../problem';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Bearer-token authentication plus a scope check per route (401 vs 403 per RFC 6750). */
export function requireScopes(verifier: TokenVerifier, ...scopes: Scope[]): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/.exec(header);
    if (!match?.[1]) return next(problems.unauthenticated('A bearer token is required.'));
    try {
      req.principal = await verifier.verify(match[1]);
    } catch (e) {
      if (e instanceof InvalidTokenError) return next(problems.unauthenticated(`The bearer ${e.message}.`));
      return next(e);
    }
    const missing = scopes.filter((s) => !req.principal?.scopes.has(s));
    if (missing.length) return next(problems.forbidden(scopes));
    next();
  };
}

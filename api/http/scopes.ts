import type { Request, RequestHandler } from 'express';
import {
  InvalidTokenError,
  KeySetUnavailableError,
  type Principal,
  type Scope,
  type TokenVerifier,
} from './auth';
import { problems } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const JWT = '[A-Za-z0-9\\-_]+\\.[A-Za-z0-9\\-_]*\\.[A-Za-z0-9\\-_]*';
const BEARER = new RegExp(`^Bearer (${JWT})$`);
const BARE_OR_BEARER = new RegExp(`^(?:Bearer )?(${JWT})$`);

export interface AuthOptions {
  /** Temenos Infinity clients send the token in X-Kony-Authorization (bare or `Bearer …`). */
  konyHeader?: boolean;
}

function bearerToken(req: Request, opts: AuthOptions): string | undefined {
  const authorization = req.get('authorization');
  if (authorization !== undefined || !opts.konyHeader) return BEARER.exec(authorization ?? '')?.[1];
  return BARE_OR_BEARER.exec(req.get('x-kony-authorization') ?? '')?.[1];
}

function authenticated(
  verifier: TokenVerifier,
  opts: AuthOptions,
  allowed: (principal: Principal) => boolean,
  required: Scope[],
): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req, opts);
    if (!token) return next(problems.unauthenticated('A bearer token is required.'));
    try {
      req.principal = await verifier.verify(token);
    } catch (e) {
      if (e instanceof InvalidTokenError) return next(problems.unauthenticated(`The bearer ${e.message}.`));
      if (e instanceof KeySetUnavailableError)
        return next(problems.unavailable(`The bearer token could not be checked: ${e.message}; retry.`));
      return next(e);
    }
    if (!allowed(req.principal)) return next(problems.forbidden(required));
    next();
  };
}

/**
 * Bearer-token authentication and nothing more: any valid token of the bank's issuer (a
 * route whose seed asks for no scope, e.g. Candescent's registration).
 */
export function requireAuthenticated(verifier: TokenVerifier): RequestHandler {
  return authenticated(verifier, {}, () => true, []);
}

/** Bearer-token authentication plus every one of `scopes` (401 vs 403 per RFC 6750). */
export function requireScopes(verifier: TokenVerifier, ...scopes: Scope[]): RequestHandler {
  return authenticated(verifier, {}, (p) => scopes.every((s) => p.scopes.has(s)), scopes);
}

/**
 * Bearer-token authentication plus at least one of `scopes`; the route narrows further. A
 * refusal names the first, the one an ordinary caller of the route is given.
 */
export function requireAnyScope(
  verifier: TokenVerifier,
  scopes: Scope[],
  opts: AuthOptions = {},
): RequestHandler {
  return authenticated(verifier, opts, (p) => scopes.some((s) => p.scopes.has(s)), scopes.slice(0, 1));
}

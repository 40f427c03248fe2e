import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { Config } from '../../config';
import type { Scope, TokenVerifier } from './auth';
import { callerRateLimit } from './caller-rate-limit';
import { requireAnyScope, requireAuthenticated, requireScopes } from './scopes';
import { validateBody } from './validate';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** problem+json instead of application/json. */
  problem?: boolean;
  contentType?: string;
}

/**
 * One route, declared once (api/routes.ts): Express registers it with mount() and the OpenAPI
 * document (api/openapi/document.ts) describes it, from the same fields. `path` uses Express
 * syntax (`/processes/:processId`).
 */
export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Absent: no bearer token (the route guards itself, or is public). Empty: any valid token. */
  scopes?: Scope[];
  /** `scopes` are alternatives (any one opens the route), not all required together. */
  anyScope?: boolean;
  /** The token may come in X-Kony-Authorization too, as Temenos Infinity clients send it. */
  konyHeader?: boolean;
  /** The per-caller ceiling (api/http/caller-rate-limit.ts), right after authentication. */
  callerLimit?: boolean;
  /** The JSON body, validated before the handler runs (400 problem+json otherwise). */
  body?: z.ZodType;
  headers?: { name: string; description: string; required?: boolean }[];
  responses: Partial<Record<number | 'default', ResponseSpec>>;
}

/** The guard a route's declaration asks for: bearer token and scopes. */
function authOf(route: Route, verifier: TokenVerifier | undefined): RequestHandler[] {
  const { scopes } = route;
  if (!scopes) return [];
  if (!verifier) throw new Error(`${route.path}: scopes need the token verifier`);
  if (route.anyScope) return [requireAnyScope(verifier, scopes, { konyHeader: !!route.konyHeader })];
  if (route.konyHeader) throw new Error(`${route.path}: konyHeader needs anyScope`);
  return [scopes.length ? requireScopes(verifier, ...scopes) : requireAuthenticated(verifier)];
}

/**
 * Registers `route` on `router` as declared, in one order for every route: authentication
 * (or `o.auth`, a guard of the route's own such as a capability), the caller's rate limit,
 * `o.parse` (a body parser of the route's own), body validation, then the handlers.
 */
export function mount(
  router: Router,
  route: Route,
  deps: { verifier?: TokenVerifier; config?: Config },
  handlers: RequestHandler | RequestHandler[],
  o: { auth?: RequestHandler; parse?: RequestHandler[] } = {},
): void {
  if (route.callerLimit && !deps.config) throw new Error(`${route.path}: callerLimit needs the config`);
  router[route.method](
    route.path,
    ...(o.auth ? [o.auth] : authOf(route, deps.verifier)),
    ...(route.callerLimit ? [callerRateLimit(deps.config!)] : []),
    ...(o.parse ?? []),
    ...(route.body ? [validateBody(route.body)] : []),
    ...[handlers].flat(),
  );
}

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Config } from '../../config';
import { loadOrCreateDevKey } from '../../lib/dev-keys';
import { cachingVerifier } from './token-cache';

export type Scope =
  | 'ib-users:write'
  | 'mfa:write'
  | 'mfa:any-user'
  | 'mfa:prelogin'
  | 'institution-users:write'
  | 'institution-users:read'
  | 'processes:read'
  | 'processes:read-all'
  | 'codec:decode'
  | 'codec:encode'
  | 'registrations:write'
  | 'self-service-users:write'
  | 'self-service:contact-info';

export interface Principal {
  subject: string;
  scopes: Set<string>;
  /** The token's `exp` in epoch ms (every accepted token has one). */
  expiresAt: number;
  /**
   * A self-service user's token (MBanq): the customer ids it acts for (`clients` claim,
   * from the user's attribute). Absent on every other token.
   */
  clients?: string[];
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

// Asymmetric algorithms only: `none` and HMAC "public key as secret" confusions are refused.
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

export class InvalidTokenError extends Error {}

/**
 * The identity provider's key set could not be fetched (down, slow, answering 5xx): the token
 * was not judged. Answered 503, not 401, so a client keeps its token and retries.
 */
export class KeySetUnavailableError extends Error {}

/** A failure to fetch the key set, as opposed to a token that does not verify. */
function keySetUnreachable(e: unknown): boolean {
  if (e instanceof joseErrors.JWKSTimeout) return true;
  if (e instanceof joseErrors.JOSEError) return /JSON Web Key Set HTTP response/.test(e.message);
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code); // ECONNREFUSED, ENOTFOUND, ECONNRESET…
}

function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return new Set(raw.split(' ').filter(Boolean));
  if (Array.isArray(raw)) return new Set(raw.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

/** The self-service user's `clients` claim: a non-empty list of customer ids, else none. */
function clientsOf(payload: JWTPayload): string[] | undefined {
  const raw = payload.clients;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  const ids = list.filter((c): c is string => typeof c === 'string' && c.length > 0);
  return ids.length ? ids : undefined;
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Accepted `typ` header values, compared case-insensitively (an `application/` prefix is ignored). */
  tokenTypes: string[];
  /**
   * The claim naming the IB user the token acts for (Keycloak: `ib_user_id`, from the user's
   * attribute); a token without it (a channel backend's client credentials) is bound by `sub`.
   */
  userIdClaim?: string;
}

/** The IB user id claim when the token has one, else `sub`. */
function subjectOf(payload: JWTPayload, claim: string | undefined): string | undefined {
  const bound = claim && claim !== 'sub' ? payload[claim] : undefined;
  if (bound !== undefined) return typeof bound === 'string' && bound ? bound : undefined;
  return payload.sub;
}

/** `typ` is a media type: case-insensitive, `application/` may be omitted (RFC 7515 §4.1.9). */
const mediaType = (t: string) => t.toLowerCase().replace(/^application\//, '');

export function createVerifier(keys: JWTVerifyGetKey, o: VerifierOptions): TokenVerifier {
  const types = new Set(o.tokenTypes.map(mediaType));
  return {
    async verify(token) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, keys, {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: ALGORITHMS,
          clockTolerance: 30,
          // A token without `exp` would be valid forever, and be cached as long as allowed.
          requiredClaims: ['exp'],
        });
        // Only access tokens: an ID token or a logout token signed by the same IdP is refused.
        if (!protectedHeader.typ || !types.has(mediaType(protectedHeader.typ)))
          throw new InvalidTokenError('token is not an access token');
        const subject = subjectOf(payload, o.userIdClaim);
        if (!subject) throw new InvalidTokenError('token has no subject');
        const clients = clientsOf(payload);
        return {
          subject,
          scopes: scopesOf(payload),
          expiresAt: (payload.exp as number) * 1000,
          ...(clients && { clients }),
        };
      } catch (e) {
        if (e instanceof InvalidTokenError) throw e;
        if (keySetUnreachable(e))
          throw new KeySetUnavailableError("the identity provider's signing keys could not be fetched");
        if (e instanceof joseErrors.JWTExpired) throw new InvalidTokenError('token expired');
        if (e instanceof joseErrors.JOSEError) throw new InvalidTokenError('token invalid');
        throw e;
      }
    },
  };
}

/**
 * The key set is refetched once older than AUTH_TOKEN_CACHE_SECONDS (jose's default is
 * 10 minutes): a key the identity provider withdraws stops verifying within that, not
 * within ten minutes more than the token cache promises.
 */
export const jwksOptions = (config: Pick<Config, 'AUTH_TOKEN_CACHE_SECONDS'>) => ({
  cacheMaxAge: config.AUTH_TOKEN_CACHE_SECONDS * 1000,
});

/** JWKS URL in production; the DATA_DIR dev key otherwise; verified tokens cached per AUTH_TOKEN_CACHE_SECONDS. */
export async function verifierFromConfig(config: Config): Promise<TokenVerifier> {
  const keys = config.AUTH_JWKS_URL
    ? createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), jwksOptions(config))
    : createLocalJWKSet({ keys: [(await loadOrCreateDevKey(config.keysDir)).publicJwk] });
  const verifier = createVerifier(keys, {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    tokenTypes: config.AUTH_TOKEN_TYPES,
    userIdClaim: config.AUTH_USER_ID_CLAIM,
  });
  if (config.AUTH_TOKEN_CACHE_SECONDS === 0) return verifier;
  return cachingVerifier(verifier, { ttlMs: config.AUTH_TOKEN_CACHE_SECONDS * 1000, maxEntries: 10_000 });
}

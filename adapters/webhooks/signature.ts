import crypto from 'node:crypto';

/**
 * Standard Webhooks signatures: `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`.
 * Shared by the sender and by anyone verifying our webhooks (tests, receivers in Node).
 */

const SECRET_PREFIX = 'whsec_';
const VERSION = 'v1';
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** Request headers as Node (IncomingHttpHeaders) or fetch (Headers) hand them over. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Largest accepted distance between the signed timestamp and now; default 300 s. */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * The HMAC key: `whsec_<base64>` is the Standard Webhooks form; anything else is taken
 * as raw text (its utf8 bytes), as some channel teams issue plain shared secrets.
 * Throws on an empty or malformed secret: that is a configuration error, not a bad request.
 */
export function webhookSecretKey(secret: string): Buffer {
  let key: Buffer;
  if (secret.startsWith(SECRET_PREFIX)) {
    const encoded = secret.slice(SECRET_PREFIX.length);
    if (!BASE64.test(encoded)) throw new TypeError('webhook secret: the whsec_ value is not base64');
    key = Buffer.from(encoded, 'base64');
  } else {
    key = Buffer.from(secret, 'utf8');
  }
  if (key.length === 0) throw new TypeError('webhook secret is empty');
  return key;
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): string {
  return crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The `webhook-signature` header value for one message at one timestamp (unix seconds). */
export function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('webhook timestamp must be whole unix seconds');
  }
  return `${VERSION},${hmac(webhookSecretKey(secret), id, String(timestamp), body)}`;
}

/**
 * True when one of the space-separated `v1` signatures matches and the timestamp is
 * within tolerance (either side of now, so a replayed or pre-dated message is refused).
 * `body` must be the raw bytes received, not a re-serialised object.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  opts: VerifyOptions = {},
): boolean {
  const key = webhookSecretKey(secret); // first, so a misconfigured secret always surfaces
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return false;
  if (!isFresh(timestamp, opts)) return false;
  const expected = Buffer.from(hmac(key, id, timestamp, body));
  return signatures.split(' ').some((candidate) => matches(candidate, expected));
}

function isFresh(timestamp: string, opts: VerifyOptions): boolean {
  if (!UNIX_SECONDS.test(timestamp)) return false;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  return Math.abs(now - Number(timestamp)) <= (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/** Constant-time comparison of one `version,signature` entry; other versions never match. */
function matches(candidate: string, expected: Buffer): boolean {
  const comma = candidate.indexOf(',');
  if (comma < 0 || candidate.slice(0, comma) !== VERSION) return false;
  const given = Buffer.from(candidate.slice(comma + 1));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    // A repeated signature header carries more candidates; repeated id/timestamp become invalid.
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

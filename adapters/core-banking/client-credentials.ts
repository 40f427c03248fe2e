import { TransientError } from '../errors';

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

/** A bearer token for the ESB, and a way to drop it when the ESB no longer takes it. */
export interface AccessTokenSource {
  token(): Promise<string>;
  invalidate(): void;
}

/** A token is renewed this long before its expiry, so none is sent as it expires. */
const RENEW_BEFORE_MS = 30_000;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) towards the ESB: the worker authenticates
 * as itself on every call. One token is shared until shortly before it expires; concurrent
 * callers wait on one request. The secret goes in the Basic header (§2.3.1), never a URL.
 */
export function clientCredentials(opts: ClientCredentialsOptions): AccessTokenSource {
  const fetchImpl = opts.fetchImpl ?? fetch;
  let current: { value: string; renewAtMs: number } | null = null;
  let pending: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const basic = Buffer.from(
      `${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`,
    ).toString('base64');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (opts.scope) form.set('scope', opts.scope);
    let res: Response;
    try {
      res = await fetchImpl(opts.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'manual',
      });
    } catch (e) {
      throw new TransientError('ESB token endpoint unreachable', e);
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (!res.ok || typeof body.access_token !== 'string') {
      // Retried by the activity: a wrong secret is an operator's fix, not a customer's refusal.
      throw new TransientError(`ESB token endpoint answered ${res.status}`);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 300) * 1000;
    current = { value: body.access_token, renewAtMs: Date.now() + Math.max(0, lifetimeMs - RENEW_BEFORE_MS) };
    return body.access_token;
  }

  return {
    token() {
      if (current && Date.now() < current.renewAtMs) return Promise.resolve(current.value);
      pending ??= fetchToken().finally(() => (pending = null));
      return pending;
    },
    invalidate() {
      current = null;
    },
  };
}

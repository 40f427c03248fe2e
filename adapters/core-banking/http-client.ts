import type { Tracer } from '@opentelemetry/api';
import type { z } from 'zod';
import { peerAttributes, traceHeaders, withClientSpan } from '../../lib/trace-http';
import { CancelledFailure } from '@temporalio/common';
import { callSignal, cancelRequested, timedOut } from '../call-signal';
import { BusinessError, TransientError } from '../errors';
import type { AccessTokenSource } from './client-credentials';
import {
  customerSchema,
  disclosureAcceptanceSchema,
  ibUserListSchema,
  ibUserSchema,
  identityMatchSchema,
} from './schemas';
import type { CallContext, CoreBankingClient } from './types';

/**
 * CoreBankingClient over the ESB's HTTP contract (docs/esb-contract.md).
 *
 * Error mapping, so activities can tell "retry" from "definite answer":
 * - 2xx → the body, validated against the contract (./schemas; setPassword: nothing); a 2xx
 *   that is not a JSON object of the expected shape is transient;
 * - 3xx → TransientError: redirects are never followed (a 307 would replay a password body
 *   to wherever the Location points);
 * - 408, 425, 429, 5xx, network errors, timeouts, unparseable bodies → TransientError;
 * - other 4xx with `{errorCode, message, ...}` → BusinessError(errorCode, message, rest);
 * - 404 without errorCode → BusinessError('NOT_FOUND'); other 4xx with JSON but no
 *   errorCode → BusinessError('HTTP_<status>').
 * Request bodies (which may hold a password) never appear in an error.
 */
export interface CoreBankingHttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  /** A CLIENT span per call, its context sent as `traceparent`; none when undefined. */
  tracer?: Tracer;
  /** The worker's own bearer token towards the ESB (client-credentials.ts); none: no header. */
  accessToken?: AccessTokenSource;
}

const TRANSIENT_STATUSES = new Set([408, 425, 429]);

interface Call {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
  /** The path with its ids as placeholders, for spans: ids and query values stay out. */
  route: string;
  body?: unknown;
  ctx?: CallContext;
}

/** A call whose 2xx body is validated by `schema`; without one (setPassword) any body is ignored. */
interface CallFor<T> extends Call {
  schema?: z.ZodType<T>;
}

export function createCoreBankingHttpClient(opts: CoreBankingHttpClientOptions): CoreBankingClient {
  const send = sender(opts);
  const seg = encodeURIComponent;

  return {
    getCustomer: (customerId, ctx) =>
      send({
        operation: 'getCustomer',
        method: 'GET',
        path: `/customers/${seg(customerId)}`,
        route: '/customers/{customerId}',
        ctx,
        schema: customerSchema,
      }),

    findIbUsers: async (query, ctx) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
      const res = await send({
        operation: 'findIbUsers',
        method: 'GET',
        path: `/ib-users?${params.toString()}`,
        route: '/ib-users',
        ctx,
        schema: ibUserListSchema,
      });
      return res.items;
    },

    getIbUser: (userId, ctx) =>
      send({
        operation: 'getIbUser',
        method: 'GET',
        path: `/ib-users/${seg(userId)}`,
        route: '/ib-users/{userId}',
        ctx,
        schema: ibUserSchema,
      }),

    createIbUser: (req, ctx) =>
      send({
        operation: 'createIbUser',
        method: 'POST',
        path: '/ib-users',
        route: '/ib-users',
        body: req,
        ctx,
        schema: ibUserSchema,
      }),

    setPassword: async (userId, password, mustChange, ctx, condition) => {
      await send<void>({
        operation: 'setPassword',
        method: 'PUT',
        path: `/ib-users/${seg(userId)}/password`,
        route: '/ib-users/{userId}/password',
        body: { password, mustChange, ...condition },
        ctx,
      });
    },

    deactivateIbUser: (userId, reason, ctx) =>
      send({
        operation: 'deactivateIbUser',
        method: 'POST',
        path: `/ib-users/${seg(userId)}/deactivate`,
        route: '/ib-users/{userId}/deactivate',
        body: { reason },
        ctx,
        schema: ibUserSchema,
      }),

    setLinkedCustomers: (userId, linkedCustomerIds, ctx) =>
      send({
        operation: 'setLinkedCustomers',
        method: 'PUT',
        path: `/ib-users/${seg(userId)}/linked-customers`,
        route: '/ib-users/{userId}/linked-customers',
        body: { linkedCustomerIds },
        ctx,
        schema: ibUserSchema,
      }),

    lockIbUser: (userId, reason, ctx) =>
      send({
        operation: 'lockIbUser',
        method: 'POST',
        path: `/ib-users/${seg(userId)}/lock`,
        route: '/ib-users/{userId}/lock',
        body: { reason },
        ctx,
        schema: ibUserSchema,
      }),

    unlockIbUser: (userId, reason, ctx) =>
      send({
        operation: 'unlockIbUser',
        method: 'POST',
        path: `/ib-users/${seg(userId)}/unlock`,
        route: '/ib-users/{userId}/unlock',
        body: { reason },
        ctx,
        schema: ibUserSchema,
      }),

    revokePassword: async (userId, reason, ctx) => {
      await send<void>({
        operation: 'revokePassword',
        method: 'POST',
        path: `/ib-users/${seg(userId)}/password/revoke`,
        route: '/ib-users/{userId}/password/revoke',
        body: { reason },
        ctx,
      });
    },

    setSecurityAnswers: async (userId, update, ctx) => {
      await send<void>({
        operation: 'setSecurityAnswers',
        method: 'PUT',
        path: `/ib-users/${seg(userId)}/security-questions`,
        route: '/ib-users/{userId}/security-questions',
        body: update,
        ctx,
      });
    },

    updateContact: (customerId, update, ctx) =>
      send({
        operation: 'updateContact',
        method: 'PATCH',
        path: `/customers/${seg(customerId)}/contact`,
        route: '/customers/{customerId}/contact',
        body: update,
        ctx,
        schema: customerSchema,
      }),

    // A POST, so the typed identity travels in the body, never in a URL or an access log.
    matchCustomerIdentity: (identity, ctx) =>
      send({
        operation: 'matchCustomerIdentity',
        method: 'POST',
        path: '/customers/identity-match',
        route: '/customers/identity-match',
        body: identity,
        ctx,
        schema: identityMatchSchema,
      }),

    recordDisclosureAcceptance: (customerId, req, ctx) =>
      send({
        operation: 'recordDisclosureAcceptance',
        method: 'POST',
        path: `/customers/${seg(customerId)}/disclosure-acceptances`,
        route: '/customers/{customerId}/disclosure-acceptances',
        body: req,
        ctx,
        schema: disclosureAcceptanceSchema,
      }),
  };
}

/** One HTTP exchange with the ESB, mapped to a body or a BusinessError/TransientError. */
function sender(opts: CoreBankingHttpClientOptions) {
  const fetchImpl = opts.fetchImpl ?? fetch;
  // Concatenate rather than resolve, so a base URL with a path prefix (an ESB context root) keeps it.
  const root = `${opts.baseUrl.replace(/\/+$/, '')}/esb/v1`;
  const peer = peerAttributes(opts.baseUrl);

  return function send<T>(call: CallFor<T>): Promise<T> {
    const attributes = {
      ...peer,
      'http.request.method': call.method,
      'url.template': `/esb/v1${call.route}`,
      'core_banking.operation': call.operation,
    };
    return withClientSpan(opts.tracer, `core-banking ${call.operation}`, attributes, async (recordStatus) => {
      const reply = await exchange(call);
      recordStatus(reply.status);
      return interpret(`core banking ${call.operation}`, reply.status, reply.text, call.schema);
    });
  };

  async function exchange(call: Call): Promise<{ status: number; text: string }> {
    const what = `core banking ${call.operation}`;
    const headers: Record<string, string> = { accept: 'application/json', ...traceHeaders() };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.ctx?.correlationId) headers['x-correlation-id'] = call.ctx.correlationId;
    if (opts.accessToken) headers.authorization = `Bearer ${await opts.accessToken.token()}`;

    // The activity's cancellation aborts it too: a write left running behind a timed-out
    // attempt would land after (and undo) what the retry or the customer did since.
    const signal = callSignal(opts.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await fetchImpl(root + call.path, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
        // Never follow: a redirect would re-send the request (a password body) elsewhere.
        redirect: 'manual',
      });
      status = res.status;
      // Refused token (revoked, rotated): the retry fetches a new one.
      if (status === 401) opts.accessToken?.invalidate();
      text = await res.text(); // the timeout covers reading the body too
    } catch (e) {
      if (timedOut(signal)) throw new TransientError(`${what} timed out after ${opts.timeoutMs} ms`, e);
      if (signal.aborted && cancelRequested())
        throw new CancelledFailure(`${what} aborted: the activity was cancelled`);
      if (signal.aborted) throw new TransientError(`${what} aborted: the activity was cancelled`, e);
      throw networkError(what, e);
    }
    return { status, text };
  }
}

function networkError(what: string, e: unknown): TransientError {
  // fetch's own error (connection refused, reset, DNS) in its cause; it never holds our request body.
  // Duck-typed: errors from another realm (jest's sandbox) fail instanceof.
  const cause = (e as { cause?: { message?: unknown } } | null)?.cause;
  const detail = typeof cause?.message === 'string' ? `: ${cause.message}` : '';
  return new TransientError(`${what} failed: network error${detail}`, e);
}

function interpret<T>(what: string, status: number, text: string, schema: z.ZodType<T> | undefined): T {
  const parsed = parseJson(text);
  if (status >= 200 && status < 300) {
    if (!schema) return undefined as T;
    if (!isRecord(parsed)) throw new TransientError(`${what}: response ${status} is not a JSON object`);
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      // Field paths only: the values may be personal data.
      const fields = [...new Set(checked.error.issues.map((i) => i.path.join('.') || '(body)'))];
      throw new TransientError(`${what}: response ${status} breaks the contract at ${fields.join(', ')}`);
    }
    return checked.data;
  }
  if (status >= 300 && status < 400) {
    throw new TransientError(`${what} answered a redirect (${status}); redirects are not followed`);
  }
  const errorCode = isRecord(parsed) && typeof parsed.errorCode === 'string' ? parsed.errorCode : undefined;
  if (status >= 500 || TRANSIENT_STATUSES.has(status)) {
    throw new TransientError(`${what} answered ${status}${errorCode ? ` ${errorCode}` : ''}`);
  }
  if (status >= 400) {
    if (errorCode && isRecord(parsed)) {
      const { errorCode: _code, message, ...rest } = parsed;
      throw new BusinessError(
        errorCode,
        typeof message === 'string' ? message : `${what}: ${errorCode}`,
        rest,
      );
    }
    if (status === 404) throw new BusinessError('NOT_FOUND', `${what}: not found (404)`);
    // Not JSON at all: a proxy or gateway answered, not the ESB; worth another try.
    if (parsed === INVALID) throw new TransientError(`${what} answered ${status} without a JSON body`);
    throw new BusinessError(`HTTP_${status}`, `${what} answered ${status}`);
  }
  throw new TransientError(`${what}: unexpected status ${status}`);
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') return INVALID;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import RestException from 'twilio/lib/base/RestException';
import TwilioServiceException from 'twilio/lib/base/TwilioServiceException';
import { maskPhone, maskText } from '../../lib/mask';
import { traceHeaders } from '../../lib/trace-http';
import { activityCancellation } from '../call-signal';
import { BusinessError, TransientError } from '../errors';
import type { SmsMessage, SmsReceipt, SmsSender } from './types';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** A Twilio number or alphanumeric sender id. */
  from: string;
  /** Replaces https://api.twilio.com, e.g. a local double in tests. */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The SDK's own HTTP client with two additions it has no option for: a base URL other
 * than api.twilio.com, and the trace context on each request. Twilio's Messages API has no
 * send de-duplication (its I-Twilio-Idempotency-Token is a header Twilio sets on its own
 * webhook calls), so a retried send is a second SMS; callers keep one message and one code
 * per send.
 */
class TwilioHttpClient extends RequestClient {
  /** The cancellation of the send in flight; the SDK's request options have no place for one. */
  readonly signals = new AsyncLocalStorage<AbortSignal | undefined>();

  constructor(
    private readonly apiBaseUrl: string | undefined,
    opts: RequestClient.RequestClientOptions,
  ) {
    super(opts);
    // Aborted with the activity: a send left running behind its own retry is a second SMS.
    this.axios.interceptors.request.use((config) => {
      const signal = this.signals.getStore();
      if (signal) config.signal = signal;
      return config;
    });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({
      ...opts,
      uri: this.rebase(opts.uri),
      headers: { ...opts.headers, ...traceHeaders() },
    });
  }

  private rebase(uri: string): string {
    if (!this.apiBaseUrl) return uri;
    const url = new URL(uri);
    // api.twilio.com, or api.<edge>.<region>.twilio.com when TWILIO_EDGE/REGION are set
    if (!(url.hostname.startsWith('api.') && url.hostname.endsWith('.twilio.com'))) return uri;
    return this.apiBaseUrl.replace(/\/+$/, '') + url.pathname + url.search;
  }
}

/** Sends through Twilio's Messages API with the official SDK. */
export function createTwilioSmsSender(opts: TwilioSmsOptions): SmsSender {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const httpClient = new TwilioHttpClient(opts.apiBaseUrl, { timeout });
  const client = twilio(opts.accountSid, opts.authToken, {
    httpClient,
    // Retries belong to the caller (Temporal), which knows the message id.
    autoRetry: false,
    // TWILIO_LOG_LEVEL=debug would make the SDK print message bodies (OTPs) to stdout.
    logLevel: 'info',
  });
  return {
    provider: 'twilio',
    async send(message: SmsMessage): Promise<SmsReceipt> {
      try {
        // The SDK's own timeout bounds the call; the activity's cancellation aborts it too.
        const sent = await httpClient.signals.run(activityCancellation(), () =>
          client.messages.create({ to: message.to, from: opts.from, body: message.body }),
        );
        return { provider: 'twilio', providerMessageId: sent.sid };
      } catch (e) {
        throw toSmsError(e, message);
      }
    },
  };
}

interface TwilioFailure {
  status: number;
  code?: number;
  reason: string;
  moreInfo?: string;
}

function toSmsError(e: unknown, message: SmsMessage): Error {
  const failure = twilioFailure(e);
  if (!failure) {
    // Network errors are left out as causes: axios errors carry the Authorization header.
    return new TransientError(`twilio unreachable: ${networkReason(e)}`);
  }
  const { status, code, reason, moreInfo } = failure;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new BusinessError(
      'SMS_REJECTED',
      `twilio refused the message: HTTP ${status} code ${code ?? '-'}`,
      {
        provider: 'twilio',
        status,
        twilioCode: code,
        reason,
        moreInfo,
        messageId: message.id,
        to: maskPhone(message.to),
      },
    );
  }
  return new TransientError(`twilio answered HTTP ${status} code ${code ?? '-'}: ${reason}`);
}

/** The HTTP answer behind an SDK exception; undefined when there was none. */
function twilioFailure(e: unknown): TwilioFailure | undefined {
  // Twilio's messages echo the number ("The 'To' number +1… is not valid"): masked.
  if (e instanceof RestException) {
    return { status: e.status, code: e.code, reason: maskText(e.message ?? ''), moreInfo: e.moreInfo };
  }
  if (e instanceof TwilioServiceException) {
    return { status: e.status, code: e.code, reason: maskText(e.detail ?? e.title) };
  }
  return undefined;
}

function networkReason(e: unknown): string {
  const err = (e ?? {}) as { name?: unknown; code?: unknown };
  if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return 'timed out';
  if (err.code === 'ERR_CANCELED') return 'aborted: the activity was cancelled';
  if (typeof err.code === 'string') return err.code;
  return typeof err.name === 'string' ? err.name : 'unknown error';
}

import { maskPhone, maskText } from '../../lib/mask';
import { traceHeaders } from '../../lib/trace-http';
import { callSignal } from '../call-signal';
import { BusinessError, TransientError } from '../errors';
import type { SmsMessage, SmsReceipt, SmsSender } from './types';

export interface KannelSmsOptions {
  /** smsbox's sendsms endpoint, e.g. http://kannel:13013/cgi-bin/sendsms */
  sendsmsUrl: string;
  /** A `sendsms-user` of the smsbox. */
  username: string;
  password: string;
  /** Sender id; when absent the smsbox's `global-sender` is used. */
  from?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** smsbox's success replies: "0: Accepted for delivery", "3: Queued for later delivery". */
const ACCEPTED_REPLY = /^\s*[03]:/;

/**
 * Sends through Kannel's smsbox HTTP `sendsms` interface. The URL carries the
 * password and the text, so neither the URL nor the text ever goes into an error.
 * Plain sendsms returns no message id: the receipt carries ours.
 */
export function createKannelSmsSender(opts: KannelSmsOptions): SmsSender {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = describeEndpoint(opts.sendsmsUrl);
  return {
    provider: 'kannel',
    async send(message: SmsMessage): Promise<SmsReceipt> {
      const reply = await call(fetchImpl, sendsmsUrl(opts, message), timeoutMs, endpoint);
      assertAccepted(reply, message, endpoint);
      return { provider: 'kannel', providerMessageId: message.id };
    },
  };
}

interface Reply {
  status: number;
  text: string;
}

function sendsmsUrl(opts: KannelSmsOptions, message: SmsMessage): URL {
  const url = new URL(opts.sendsmsUrl);
  const q = url.searchParams;
  q.set('username', opts.username);
  q.set('password', opts.password);
  q.set('to', message.to);
  q.set('text', message.body);
  // URLSearchParams encodes UTF-8; without `charset` Kannel would read the bytes as Latin-1.
  q.set('charset', 'UTF-8');
  // UCS-2 only when needed: it halves the characters per SMS part.
  if (!fitsGsm7(message.body)) q.set('coding', '2');
  if (opts.from) q.set('from', opts.from);
  return url;
}

async function call(fetchImpl: typeof fetch, url: URL, timeoutMs: number, endpoint: string): Promise<Reply> {
  try {
    // No redirects: following one would hand the password in the query to another host.
    // Aborted with the activity too: Kannel keeps no message id, so a send left running
    // behind a timed-out attempt would be a second SMS beside the retry's.
    const res = await fetchImpl(url, {
      method: 'GET',
      headers: traceHeaders(),
      redirect: 'error',
      signal: callSignal(timeoutMs),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    // The cause is left out on purpose: fetch errors can carry the request URL.
    throw new TransientError(`kannel ${endpoint} unreachable: ${networkReason(e, timeoutMs)}`);
  }
}

function assertAccepted(reply: Reply, message: SmsMessage, endpoint: string): void {
  const said = maskText(reply.text.trim().slice(0, 200));
  if (reply.status >= 200 && reply.status < 300 && ACCEPTED_REPLY.test(reply.text)) return;
  if (isDefiniteRefusal(reply.status)) {
    throw new BusinessError('SMS_REJECTED', `kannel refused the message: HTTP ${reply.status} ${said}`, {
      provider: 'kannel',
      status: reply.status,
      reply: said,
      messageId: message.id,
      to: maskPhone(message.to),
    });
  }
  // 5xx, or a 2xx that is not smsbox's answer (a proxy page): not known to be sent.
  throw new TransientError(`kannel ${endpoint} answered HTTP ${reply.status}: ${said}`);
}

/** 4xx (bad credentials, missing or black-listed number) is final; 408/429 are not. */
function isDefiniteRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function networkReason(e: unknown, timeoutMs: number): string {
  // Duck-typed, not instanceof: fetch's errors may come from another realm (vm, jest).
  const err = (e ?? {}) as { name?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'aborted: the activity was cancelled';
  if (typeof err.cause?.code === 'string') return err.cause.code;
  // undici's causes name the host and port at most, never the query
  if (typeof err.cause?.message === 'string') return err.cause.message;
  return typeof err.name === 'string' ? err.name : 'unknown error';
}

/** scheme://host:port/path of the endpoint, without the query, for messages. */
function describeEndpoint(sendsmsUrl: string): string {
  const url = new URL(sendsmsUrl);
  return `${url.origin}${url.pathname}`;
}

/** GSM 03.38 default alphabet plus its extension table (the characters Kannel maps). */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
    'abcdefghijklmnopqrstuvwxyzäöñüà' +
    '^{}\\[~]|€\f',
);

function fitsGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7.has(ch)) return false;
  return true;
}

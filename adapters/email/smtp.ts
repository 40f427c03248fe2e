import { createHash } from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { maskEmail, maskText } from '../../lib/mask';
import { callSignal } from '../call-signal';
import { BusinessError, TransientError } from '../errors';
import type { EmailMessage, EmailReceipt, EmailSender } from './types';

export interface SmtpEmailOptions {
  host: string;
  port: number;
  /**
   * TLS from the first byte; by default only on port 465. Otherwise STARTTLS is used when
   * the server offers it.
   */
  secure?: boolean;
  /** STARTTLS or nothing: nodemailer refuses to send over a connection that did not upgrade. */
  requireTls?: boolean;
  user?: string;
  password?: string;
  /** From header and envelope sender, e.g. "Demo Bank <no-reply@bank.example>". */
  from: string;
  /** Limit for connecting, for the greeting and for each server reply. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Right-hand side of our Message-IDs: marks mail sent by this service. */
const MESSAGE_ID_DOMAIN = 'ibmb';
/** Longer encoded ids are hashed: a Message-ID cannot be folded across header lines. */
const MAX_MESSAGE_ID_LOCAL = 200;

/** Commands whose 5xx answer refuses this message (recipient, sender, content), not our session. */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

/** RFC 4954: the server wants AUTH first, whatever the message. */
const AUTH_REQUIRED = 530;

/** One address, nothing that could make the header or envelope name a second recipient. */
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/**
 * Sends plain-text mail over SMTP with nodemailer. Our message id becomes the
 * Message-ID header, so a delivery retried after a lost answer is recognisable
 * downstream. The message text never goes into an error: it may carry a notice.
 */
export function createSmtpEmailSender(opts: SmtpEmailOptions): EmailSender {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const options: SMTPTransport.Options = {
    host: opts.host,
    port: opts.port,
    secure: opts.secure ?? opts.port === 465,
    ...(opts.requireTls && { requireTLS: true }),
    auth: opts.user ? { user: opts.user, pass: opts.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // nodemailer's debug log would print the message, text included.
    logger: false,
    debug: false,
    // Messages are plain text: nothing may make nodemailer read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const server = `${opts.host}:${opts.port}`;
  return {
    provider: 'smtp',
    async send(message: EmailMessage): Promise<EmailReceipt> {
      assertSingleAddress(message);
      const messageId = toMessageId(message.id);
      // Not pooled: one connection per message, nothing left open between sends. Its socket
      // is ours, so the activity's cancellation (or the whole exchange's deadline) closes
      // it: a session cut before the server's final 250 delivers nothing, and a send never
      // goes on behind its own retry.
      const signal = callSignal(EXCHANGE_TIMEOUTS * timeoutMs);
      const transport = nodemailer.createTransport({ ...options, getSocket: abortableSocket(opts, signal) });
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId,
        });
        return { provider: 'smtp', providerMessageId: info.messageId };
      } catch (e) {
        throw toEmailError(e, message, server);
      }
    },
  };
}

/** The whole exchange (connect, greeting, EHLO, envelope, data) is bounded by this many timeouts. */
const EXCHANGE_TIMEOUTS = 2;

/** nodemailer's getSocket: a plain TCP connection that `signal` destroys (TLS, if any, goes over it). */
function abortableSocket(opts: SmtpEmailOptions, signal: AbortSignal): SMTPTransport.Options['getSocket'] {
  return (_options, callback) => {
    if (signal.aborted) return callback(abortError(), false);
    const socket = net.connect({ host: opts.host, port: opts.port });
    const abort = () => socket.destroy(abortError());
    signal.addEventListener('abort', abort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', abort));
    const failed = (e: Error) => callback(e, false);
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.off('error', failed);
      callback(null, { connection: socket });
    });
  };
}

function abortError(): Error {
  return Object.assign(new Error('SMTP session aborted (the activity was cancelled or ran out of time)'), {
    code: 'EABORTED',
  });
}

/**
 * `<id@ibmb>`, every byte of the id outside [A-Za-z0-9_-] percent-encoded: a valid
 * msg-id for any id, and two different ids never share one.
 */
export function toMessageId(id: string): string {
  let local = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const ch = String.fromCharCode(byte);
    local += /[A-Za-z0-9_-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (local.length > MAX_MESSAGE_ID_LOCAL) {
    local = `sha256-${createHash('sha256').update(id, 'utf8').digest('hex')}`;
  }
  return `<${local}@${MESSAGE_ID_DOMAIN}>`;
}

function assertSingleAddress(message: EmailMessage): void {
  if (SINGLE_ADDRESS.test(message.to)) return;
  throw new BusinessError('EMAIL_REJECTED', 'not a single email address', {
    provider: 'smtp',
    reason: 'invalid recipient address',
    messageId: message.id,
    to: maskEmail(message.to),
  });
}

/** The fields nodemailer sets on its errors (SMTPConnection.SMTPError). */
interface SmtpFailure {
  code?: string;
  responseCode?: number;
  command?: string;
  text: string;
}

function toEmailError(e: unknown, message: EmailMessage, server: string): Error {
  const failure = smtpFailure(e, message.to);
  const { code, responseCode, command, text } = failure;
  if (isRefusal(failure)) {
    return new BusinessError(
      'EMAIL_REJECTED',
      `smtp ${server} refused the message${command ? ` at ${command}` : ''}: ${text}`,
      {
        provider: 'smtp',
        responseCode,
        command,
        reason: text,
        messageId: message.id,
        to: maskEmail(message.to),
      },
    );
  }
  // The cause is left out on purpose, as the SMS adapters do: ours is masked.
  return new TransientError(
    `smtp ${server} failed${command ? ` at ${command}` : ''} (${code ?? 'unknown'}): ${text}`,
  );
}

/**
 * 5xx to the envelope or the message is final. 4xx, network, TLS and timeouts are not;
 * neither is a 5xx to the greeting, EHLO or AUTH, nor 530 "authentication required":
 * those refuse our session (configuration), not this message, and must not mark the
 * customer's address bad.
 */
function isRefusal({ code, responseCode, command }: SmtpFailure): boolean {
  if (responseCode !== undefined) {
    if (responseCode < 500 || responseCode >= 600 || responseCode === AUTH_REQUIRED) return false;
    return command !== undefined && MESSAGE_COMMANDS.has(command);
  }
  // nodemailer's own checks before sending: an unusable address, a message over SIZE.
  return code === 'EENVELOPE' || code === 'EMESSAGE';
}

function smtpFailure(e: unknown, to: string): SmtpFailure {
  // Duck-typed: nodemailer's errors are plain Errors with extra fields.
  const err = (e ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown; message?: unknown };
  // nodemailer's message carries the server's reply, which may echo the address: masked,
  // by name too, for addresses maskText does not recognise (no dot in the domain).
  const said = typeof err.message === 'string' ? err.message : String(e);
  const raw = to ? said.split(to).join(maskEmail(to)) : said;
  return {
    code: typeof err.code === 'string' ? err.code : undefined,
    responseCode: typeof err.responseCode === 'number' ? err.responseCode : undefined,
    command: typeof err.command === 'string' ? err.command : undefined,
    text: maskText(raw.replace(/\s+/g, ' ').trim().slice(0, 300)),
  };
}

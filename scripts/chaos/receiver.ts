import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The receiving side of the chaos stack: a Kannel-speaking SMS gateway, an SMTP server
 * and a webhook receiver, in the harness process (so they outlive every kill -9) and
 * logging every submission that reaches them. Counting here, not in our own outboxes,
 * is what lets a run see a duplicate: the outbox writer de-duplicates by message id,
 * the gateway cannot (Kannel's sendsms carries no message id).
 */
export interface Delivery {
  kind: 'sms' | 'email' | 'webhook';
  at: number;
  to: string;
  /** SMS text; email subject + body; webhook JSON body. */
  text: string;
  /** Webhook id / email Message-ID (SMS have none). */
  id?: string;
  type?: string;
  payload?: Record<string, unknown>;
}

interface Hold {
  match: (d: Delivery) => boolean;
  got: (d: Delivery) => void;
  released: Promise<void>;
}

export class Receivers {
  deliveries: Delivery[] = [];
  smsDown = false;
  webhooksDown = false;
  /** The SMTP server turns every session away (421) as it opens: mail is not taken. */
  smtpDown = false;
  /**
   * Brownouts: how long the gateway, the SMTP server (its answer to DATA) and the webhook
   * receivers take to answer a submission they have already taken (and counted).
   */
  slow = { smsMs: 0, smtpMs: 0, webhookMs: 0 };
  private http?: http.Server;
  private smtp?: SMTPServer;
  private holds: Hold[] = [];
  httpPort = 0;
  smtpPort = 0;

  async start(): Promise<void> {
    this.http = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body = '';
      // A sender killed mid-request (kill -9 of the worker) resets its connection: expected.
      req.on('error', () => undefined);
      res.on('error', () => undefined);
      req.on('data', (d) => (body += String(d)));
      req.on('end', () => {
        if (url.pathname === '/cgi-bin/sendsms') {
          if (this.smsDown) return void res.writeHead(503).end('Service unavailable');
          const d = this.take({
            kind: 'sms',
            at: Date.now(),
            to: String(url.searchParams.get('to')),
            text: String(url.searchParams.get('text')),
          });
          return void d
            .then(() => pause(this.slow.smsMs))
            .then(() => res.writeHead(202).end('0: Accepted for delivery'));
        }
        if (url.pathname.startsWith('/webhook')) {
          if (this.webhooksDown) return void res.writeHead(503).end();
          const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
          const d = this.take({
            kind: 'webhook',
            at: Date.now(),
            to: url.pathname,
            text: body,
            id: String(req.headers['webhook-id']),
            type: parsed.type,
            payload: parsed.data,
          });
          return void d.then(() => pause(this.slow.webhookMs)).then(() => res.writeHead(204).end());
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => this.http?.listen(0, '127.0.0.1', r));
    this.httpPort = (this.http.address() as AddressInfo).port;

    this.smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onConnect: (_session, callback) =>
        callback(this.smtpDown ? Object.assign(new Error('down'), { responseCode: 421 }) : undefined),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(raw)?.[1]?.trim();
          const at = Date.now();
          const done = session.envelope.rcptTo.map((r) =>
            this.take({
              kind: 'email',
              at,
              to: r.address,
              text: raw,
              id: header('Message-ID'),
              type: header('Subject'),
            }),
          );
          void Promise.all(done)
            .then(() => pause(this.slow.smtpMs))
            .then(() => callback());
        });
      },
    });
    // smtp-server reports a client's reset connection (a worker killed mid-session) as an
    // 'error' on the server: part of the scenario, not a failure of the receiving side.
    this.smtp.on('error', () => undefined);
    await new Promise<void>((r) => this.smtp?.listen(0, '127.0.0.1', () => r()));
    this.smtpPort = ((this.smtp as unknown as { server: http.Server }).server.address() as AddressInfo).port;
  }

  /** Environment pointing the worker's SMS, email and webhook adapters here. */
  env(): Record<string, string> {
    const base = `http://127.0.0.1:${this.httpPort}`;
    return {
      SMS_PROVIDER: 'kannel',
      KANNEL_SENDSMS_URL: `${base}/cgi-bin/sendsms`,
      KANNEL_USERNAME: 'chaos',
      KANNEL_PASSWORD: 'chaos',
      EMAIL_PROVIDER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtpPort),
      SMTP_SECURE: 'false',
      CHANNEL_WEBHOOK_URL: `${base}/webhook/channel`,
      CHANNEL_WEBHOOK_SECRET: 'chaos-webhook-secret-0123456789',
      LINKED_SYSTEMS: JSON.stringify([
        {
          name: 'alerts',
          url: `${base}/webhook/alerts`,
          secret: 'whsec_' + Buffer.from('chaos-linked-system-secret-00001').toString('base64'),
        },
      ]),
    };
  }

  /**
   * The next delivery matching `match` is logged (the provider has it) but its answer is
   * held until `release()`: the window in which a worker killed now has sent the message
   * without learning so.
   */
  holdNext(match: (d: Delivery) => boolean): { received: Promise<Delivery>; release: () => void } {
    let release = () => undefined as void;
    let got: (d: Delivery) => void = () => undefined;
    const received = new Promise<Delivery>((r) => (got = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ match, got, released });
    return { received, release };
  }

  private take(d: Delivery): Promise<void> {
    this.deliveries.push(d);
    const i = this.holds.findIndex((h) => h.match(d));
    if (i < 0) return Promise.resolve();
    const [hold] = this.holds.splice(i, 1);
    hold?.got(d);
    return hold?.released ?? Promise.resolve();
  }

  sms(): Delivery[] {
    return this.deliveries.filter((d) => d.kind === 'sms');
  }
  webhooks(): Delivery[] {
    return this.deliveries.filter((d) => d.kind === 'webhook');
  }
  emails(): Delivery[] {
    return this.deliveries.filter((d) => d.kind === 'email');
  }

  async stop(): Promise<void> {
    for (const h of this.holds.splice(0)) h.got({ kind: 'sms', at: 0, to: '', text: '' });
    await new Promise<void>((r) => this.http?.close(() => r()) ?? r());
    await new Promise<void>((r) => this.smtp?.close(() => r()) ?? r());
  }
}

const pause = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export const OTP = /(\d{4,8}) is your verification code/;
export const FTP = /first-time password is (\S+)\./;

/** What a message is for, from its text: the logical message is (recipient, purpose). */
export function purposeOf(d: Delivery): string {
  if (d.kind === 'webhook') {
    const p = d.payload ?? {};
    return `${d.type}:${String(p.userId ?? p.customerId ?? '')}:${String(p.phone ?? p.email ?? '')}`;
  }
  if (d.kind === 'email') return `email:${d.type ?? ''}`;
  if (OTP.test(d.text)) return 'otp';
  if (FTP.test(d.text)) return 'first-time-password';
  // Notices: the template, without the digits and masked values that vary per customer.
  return `notice:${d.text.replace(/[\d•*+]+/g, '#').slice(0, 60)}`;
}

export interface ReceivedCount {
  sms: number;
  email: number;
  webhooks: number;
  /** Logical messages (recipient + purpose) received. */
  logical: number;
  /** Extra deliveries of a logical message with different content (two codes, two passwords, two webhook ids). */
  duplicated: number;
  /** Extra deliveries of the very same content (a send retried after its answer was lost). */
  redelivered: number;
  details: string[];
}

/**
 * Counts what reached the receiving side. `expected` says how many deliveries of the same
 * content a logical message may have (an MFA resend delivers the same code again).
 */
export function countReceived(
  deliveries: Delivery[],
  expected: (key: string) => number = () => 1,
): ReceivedCount {
  const groups = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = `${d.kind} ${d.to} ${purposeOf(d)}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const out: ReceivedCount = {
    sms: deliveries.filter((d) => d.kind === 'sms').length,
    email: deliveries.filter((d) => d.kind === 'email').length,
    webhooks: deliveries.filter((d) => d.kind === 'webhook').length,
    logical: groups.size,
    duplicated: 0,
    redelivered: 0,
    details: [],
  };
  for (const [key, ds] of groups) {
    // Content identity: the code or password for SMS, the id for email and webhooks
    // (an email's Message-ID and a webhook id name one logical message).
    const identity = (d: Delivery) =>
      d.kind === 'sms' ? (OTP.exec(d.text)?.[1] ?? FTP.exec(d.text)?.[1] ?? d.text) : String(d.id);
    const distinct = new Set(ds.map(identity)).size;
    const extra = ds.length - distinct * expected(key);
    if (distinct > 1) {
      out.duplicated += distinct - 1;
      out.details.push(`duplicate: ${distinct} different ${key.split(' ')[0]} for ${mask(key)}`);
    }
    if (extra > 0) {
      out.redelivered += extra;
      out.details.push(`redelivered: ${extra}× the same ${mask(key)}`);
    }
  }
  return out;
}

const mask = (key: string) =>
  key.replace(/\+?\d{6,}/g, (m) => `${m.slice(0, 4)}…${m.slice(-3)}`).slice(0, 90);

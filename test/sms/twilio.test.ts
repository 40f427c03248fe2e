import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTwilioSmsSender } from '../../adapters/sms/twilio';
import { BusinessError, TransientError } from '../../adapters/errors';

const ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
const AUTH_TOKEN = 'test-auth-token-do-not-log';
const FROM = '+15005550006';
const INVALID_TO = '+15005550001'; // Twilio's magic "invalid number" test value

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyToken: string | undefined;
  form: Record<string, string>;
}

/** A local stand-in for Twilio's REST API: just POST .../Messages.json. */
class TwilioDouble {
  readonly received: Received[] = [];
  mode: 'ok' | 'outage' | 'hang' = 'ok';
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private seq = 0;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const token = req.headers['i-twilio-idempotency-token'];
      this.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        idempotencyToken: typeof token === 'string' ? token : undefined,
        form,
      });
      this.answer(req, res, form);
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, form: Record<string, string>): void {
    if (this.mode === 'hang') return; // never answers
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match)
      return reply(res, 404, twilioError(20404, 'The requested resource was not found', 404));
    const basic = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
    if (req.headers.authorization !== basic || match[1] !== ACCOUNT_SID) {
      return reply(res, 401, twilioError(20003, 'Authenticate', 401));
    }
    if (this.mode === 'outage') return reply(res, 503, twilioError(20503, 'Service unavailable', 503));
    if (form.To === INVALID_TO) {
      return reply(
        res,
        400,
        twilioError(21211, `The 'To' number ${form.To} is not a valid phone number.`, 400),
      );
    }
    // Like Twilio: every POST is a new message, whatever its headers.
    reply(res, 201, this.message(form));
  }

  /** The shape Twilio returns for a created message. */
  private message(form: Record<string, string>): object {
    const sid = 'SM' + (++this.seq).toString(16).padStart(32, '0');
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      account_sid: ACCOUNT_SID,
      api_version: '2010-04-01',
      body: form.Body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.From,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media.json` },
      to: form.To,
      uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
    };
  }
}

function twilioError(code: number, message: string, status: number): object {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('Twilio SMS sender (official SDK against a local double)', () => {
  const double = new TwilioDouble();
  let apiBaseUrl: string;

  beforeAll(async () => {
    apiBaseUrl = await double.start();
  });
  afterAll(() => double.stop());
  beforeEach(() => {
    double.received.length = 0;
    double.mode = 'ok';
  });

  const sender = (overrides: { authToken?: string; timeoutMs?: number; apiBaseUrl?: string } = {}) =>
    createTwilioSmsSender({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      apiBaseUrl,
      ...overrides,
    });

  it('posts To, From and Body with Basic auth and returns the message sid', async () => {
    const receipt = await sender().send({ id: 'msg-1', to: '+254712345678', body: 'Your code is 123456' });

    expect(receipt).toEqual({
      provider: 'twilio',
      providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
    });
    expect(double.received).toHaveLength(1);
    const [call] = double.received;
    expect(call).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
      authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'),
      form: { To: '+254712345678', From: FROM, Body: 'Your code is 123456' },
    });
  });

  it('claims no send de-duplication: no idempotency header, a repeated send is another message', async () => {
    const s = sender();
    const message = { id: 'msg-retry', to: '+254712345678', body: 'once' };

    const first = await s.send(message);
    const second = await s.send(message);

    // I-Twilio-Idempotency-Token is Twilio's header on its own webhook calls, not a send key.
    expect(double.received.map((r) => r.idempotencyToken)).toEqual([undefined, undefined]);
    expect(second.providerMessageId).not.toBe(first.providerMessageId);
  });

  it('maps an invalid number (400, code 21211) to BusinessError SMS_REJECTED without the full number', async () => {
    const error = await sender()
      .send({ id: 'msg-bad', to: INVALID_TO, body: 'x' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BusinessError);
    const be = error as BusinessError;
    expect(be.code).toBe('SMS_REJECTED');
    expect(be.details).toMatchObject({
      provider: 'twilio',
      status: 400,
      twilioCode: 21211,
      messageId: 'msg-bad',
    });
    expect(JSON.stringify({ message: be.message, details: be.details })).not.toContain(INVALID_TO);
  });

  it('maps wrong credentials (401) to BusinessError and never reveals the token', async () => {
    const error = await sender({ authToken: 'wrong-token' })
      .send({ id: 'msg-auth', to: '+254712345678', body: 'x' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).details).toMatchObject({ status: 401, twilioCode: 20003 });
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-token');
  });

  it('maps an outage (503) to TransientError', async () => {
    double.mode = 'outage';
    const error = await sender()
      .send({ id: 'msg-503', to: '+254712345678', body: 'x' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toContain('503');
    expect(double.received).toHaveLength(1); // the SDK did not retry on its own
  });

  it('maps a timeout to TransientError', async () => {
    double.mode = 'hang';
    const error = await sender({ timeoutMs: 300 })
      .send({ id: 'msg-slow', to: '+254712345678', body: 'x' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toContain('timed out');
  });

  it('maps a refused connection to TransientError without the token in it', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await sender({ apiBaseUrl: `http://127.0.0.1:${port}` })
      .send({ id: 'msg-down', to: '+254712345678', body: 'x' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toContain('ECONNREFUSED');
    expect((error as TransientError).cause).toBeUndefined();
    expect(JSON.stringify(error) + String(error)).not.toContain(AUTH_TOKEN);
  });
});

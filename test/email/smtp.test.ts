import net from 'node:net';
import { BusinessError, TransientError } from '../../adapters/errors';
import { createSmtpEmailSender, toMessageId } from '../../adapters/email/smtp';
import { parseMail, smtpReply, startSmtpServer, type TestSmtpServer } from './smtp-server';

const FROM = 'Demo Bank <no-reply@bank.example>';
const TO = 'alice.wanjiru@customer.example';
const NOTICE = 'Your internet banking access is ready. Reference 7781-2299.';

/** What a failed send threw, for assertions on its class and contents. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the send to fail');
}

/** Everything an error would show in a log line. */
const exposed = (e: Error) => JSON.stringify({ message: e.message, details: (e as BusinessError).details });

describe('toMessageId', () => {
  it('keeps a plain id and wraps it as <id@ibmb>', () => {
    expect(toMessageId('onb-42_notice')).toBe('<onb-42_notice@ibmb>');
  });

  it('percent-encodes everything else, so the header cannot be broken and ids stay distinct', () => {
    expect(toMessageId('wf:1/a b<x>@y\r\nBcc: z')).toBe('<wf%3A1%2Fa%20b%3Cx%3E%40y%0D%0ABcc%3A%20z@ibmb>');
    expect(toMessageId('a.b')).toBe('<a%2Eb@ibmb>');
    expect(toMessageId('a.b')).not.toBe(toMessageId('a%2Eb'));
    expect(toMessageId('é')).toBe('<%C3%A9@ibmb>');
  });

  it('hashes ids too long for one header line', () => {
    const id = toMessageId('x'.repeat(500));
    expect(id).toMatch(/^<sha256-[0-9a-f]{64}@ibmb>$/);
    expect(toMessageId('x'.repeat(500))).toBe(id);
    expect(toMessageId('x'.repeat(501))).not.toBe(id);
  });
});

describe('SMTP email sender against a real SMTP server', () => {
  let server: TestSmtpServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const sender = (port: number, extra: { user?: string; password?: string; timeoutMs?: number } = {}) =>
    createSmtpEmailSender({ host: '127.0.0.1', port, from: FROM, timeoutMs: 5_000, ...extra });

  it('delivers To, From, Subject, our Message-ID and the text', async () => {
    server = await startSmtpServer();
    const s = sender(server.port);
    const text = `${NOTICE}\nKaribu — Demo Bank.\n${'long line '.repeat(12)}end`;

    const receipt = await s.send({ id: 'onb-42:welcome', to: TO, subject: 'Welcome to Demo Bank', text });

    expect(s.provider).toBe('smtp');
    expect(receipt).toEqual({ provider: 'smtp', providerMessageId: '<onb-42%3Awelcome@ibmb>' });
    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail?.mailFrom).toBe('no-reply@bank.example');
    expect(mail?.rcptTo).toEqual([TO]);
    const { headers, text: body } = parseMail(mail?.raw ?? '');
    expect(headers.get('to')).toBe(TO);
    expect(headers.get('from')).toBe(FROM);
    expect(headers.get('subject')).toBe('Welcome to Demo Bank');
    expect(headers.get('message-id')).toBe('<onb-42%3Awelcome@ibmb>');
    expect(headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8$/i);
    expect(body.replace(/\n$/, '')).toBe(text);
  });

  it('sends a retry of the same id with the same Message-ID', async () => {
    server = await startSmtpServer();
    const s = sender(server.port);
    const message = { id: 'm-7', to: TO, subject: 's', text: 't' };

    await s.send(message);
    await s.send(message);

    const ids = server.received.map((m) => parseMail(m.raw).headers.get('message-id'));
    expect(ids).toEqual(['<m-7@ibmb>', '<m-7@ibmb>']);
  });

  it('authenticates with user and password when configured', async () => {
    server = await startSmtpServer({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'ibmb' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(smtpReply(535, 'Authentication credentials invalid'));
      },
    });

    await sender(server.port, { user: 'ibmb', password: 's3cret' }).send({
      id: 'm-auth',
      to: TO,
      subject: 's',
      text: 't',
    });

    expect(server.received.map((m) => m.user)).toEqual(['ibmb']);
  });

  it('treats 530 authentication required as transient: configuration, not the customer', async () => {
    server = await startSmtpServer({ authOptional: false });

    const e = await failure(sender(server.port).send({ id: 'm-noauth', to: TO, subject: 's', text: 't' }));

    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('530');
    expect(server.received).toHaveLength(0);
  });

  it('treats a rejected login (535) as transient: configuration, not the customer', async () => {
    server = await startSmtpServer({
      authOptional: false,
      onAuth(_auth, _session, callback) {
        callback(smtpReply(535, 'Authentication credentials invalid'));
      },
    });

    const e = await failure(
      sender(server.port, { user: 'ibmb', password: 'wrong' }).send({
        id: 'm-535',
        to: TO,
        subject: 's',
        text: NOTICE,
      }),
    );

    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('535');
    expect(e.message).not.toContain('wrong');
    expect(server.received).toHaveLength(0);
  });

  it('maps 550 to a recipient to BusinessError EMAIL_REJECTED with the address masked', async () => {
    server = await startSmtpServer({
      onRcptTo(address, _session, callback) {
        callback(smtpReply(550, `5.1.1 <${address.address}>: mailbox unavailable`));
      },
    });

    const e = await failure(
      sender(server.port).send({ id: 'm-550', to: TO, subject: 'Notice', text: NOTICE }),
    );

    expect(e).toBeInstanceOf(BusinessError);
    const be = e as BusinessError;
    expect(be.code).toBe('EMAIL_REJECTED');
    expect(be.details).toMatchObject({
      provider: 'smtp',
      responseCode: 550,
      command: 'RCPT TO',
      messageId: 'm-550',
      to: 'a••••••••••••@customer.example',
    });
    expect(be.message).toContain('550');
    expect(be.message).toContain('mailbox unavailable');
    expect(exposed(e)).not.toContain(TO);
    expect(exposed(e)).not.toContain('7781-2299');
    expect(server.received).toHaveLength(0);
  });

  it('maps a 554 to the message data to BusinessError', async () => {
    server = await startSmtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(smtpReply(554, '5.7.1 message content rejected')));
      },
    });

    const e = await failure(
      sender(server.port).send({ id: 'm-554', to: TO, subject: 'Notice', text: NOTICE }),
    );

    expect(e).toBeInstanceOf(BusinessError);
    expect((e as BusinessError).details).toMatchObject({ responseCode: 554, command: 'DATA' });
    expect(exposed(e)).not.toContain('7781-2299');
  });

  it('maps 451 to a recipient to TransientError without the address', async () => {
    server = await startSmtpServer({
      onRcptTo(address, _session, callback) {
        callback(smtpReply(451, `4.7.1 <${address.address}>: try again later`));
      },
    });

    const e = await failure(
      sender(server.port).send({ id: 'm-451', to: TO, subject: 'Notice', text: NOTICE }),
    );

    expect(e).toBeInstanceOf(TransientError);
    expect(e).not.toBeInstanceOf(BusinessError);
    expect(e.message).toContain('451');
    expect(e.message).not.toContain(TO);
    expect(e.message).not.toContain('7781-2299');
  });

  it('maps a closed port to TransientError', async () => {
    const port = await freePort();

    const e = await failure(sender(port).send({ id: 'm-closed', to: TO, subject: 's', text: NOTICE }));

    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('maps a server that never greets to TransientError within the timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const e = await failure(
        sender(port, { timeoutMs: 300 }).send({ id: 'm-silent', to: TO, subject: 's', text: 't' }),
      );

      expect(e).toBeInstanceOf(TransientError);
      expect(e.message).toContain('ETIMEDOUT');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a recipient that is not one address, without contacting the server', async () => {
    server = await startSmtpServer();

    const e = await failure(
      sender(server.port).send({
        id: 'm-two',
        to: `${TO}, mallory@evil.example`,
        subject: 's',
        text: 't',
      }),
    );

    expect(e).toBeInstanceOf(BusinessError);
    expect((e as BusinessError).code).toBe('EMAIL_REJECTED');
    expect(exposed(e)).not.toContain('mallory@evil.example');
    expect(server.connections).toBe(0);
  });
});

/** A port nothing listens on: bound once by us, then released. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKannelSmsSender } from '../../adapters/sms/kannel';
import { BusinessError, TransientError } from '../../adapters/errors';

const run = promisify(execFile);
const SCRIPTS = path.join(__dirname, '..', '..', 'scripts', 'kannel');

interface Kannel {
  sendsmsUrl: string;
  username: string;
  password: string;
  fakesmscLog: string;
  pids: number[];
  dir: string;
}

/** Starts the real Kannel (Debian packages) through scripts/kannel/start.sh. */
async function startKannel(dir: string): Promise<Kannel> {
  try {
    const { stdout } = await run('bash', [path.join(SCRIPTS, 'start.sh'), dir], { timeout: 110_000 });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as Kannel;
  } catch (e) {
    const { stderr, message } = e as { stderr?: string; message: string };
    throw new Error(
      `could not start Kannel with scripts/kannel/start.sh (needs Debian packages kannel and kannel-extras): ` +
        `${message}\n${(stderr ?? '').split('\n').slice(-20).join('\n')}`,
    );
  }
}

/** fakesmsc logs each MT message it receives as `Got message N: <from to type data>`. */
async function waitForDelivery(log: string, wanted: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .find((l) => /Got message \d+: </.test(l) && l.includes(wanted));
    if (hit) return hit;
    if (Date.now() > deadline)
      throw new Error(`no message containing ${JSON.stringify(wanted)} reached fakesmsc`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** fakesmsc prints UCS-2 messages url-encoded ('+' for space), big-endian. */
function decodeUcs2(urlEncoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < urlEncoded.length; i++) {
    const ch = urlEncoded[i];
    if (ch === '%') {
      bytes.push(parseInt(urlEncoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch === '+' ? 0x20 : urlEncoded.charCodeAt(i));
  }
  return Buffer.from(bytes).swap16().toString('utf16le');
}

const uniqueCode = () => String(Math.floor(100_000 + Math.random() * 900_000));

describe('Kannel SMS sender against a real Kannel with fakesmsc', () => {
  let dir: string;
  let kannel: Kannel | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kannel-test-'));
    kannel = await startKannel(dir);
  }, 120_000);

  afterAll(async () => {
    await run('bash', [path.join(SCRIPTS, 'stop.sh'), dir], { timeout: 30_000 }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 40_000);

  const up = (): Kannel => {
    if (!kannel) throw new Error('Kannel did not start (see beforeAll)');
    return kannel;
  };
  const sender = (overrides: { password?: string; from?: string } = {}) =>
    createKannelSmsSender({
      sendsmsUrl: up().sendsmsUrl,
      username: up().username,
      password: up().password,
      from: 'MYBANK',
      ...overrides,
    });

  it('delivers an SMS to the SMSC with our sender, number and text', async () => {
    const body = `Your code is ${uniqueCode()}`;

    const receipt = await sender().send({ id: 'k-1', to: '+254712345678', body });

    expect(receipt).toEqual({ provider: 'kannel', providerMessageId: 'k-1' });
    await waitForDelivery(up().fakesmscLog, `<MYBANK +254712345678 text ${body}>`);
  });

  it("falls back to the smsbox's global sender when no from is configured", async () => {
    const body = `No sender ${uniqueCode()}`;
    await sender({ from: undefined }).send({ id: 'k-2', to: '+254712345678', body });
    await waitForDelivery(up().fakesmscLog, `<12345 +254712345678 text ${body}>`);
  });

  it('keeps GSM characters such as é and € as text', async () => {
    const body = `Karibu Zoé, ada €5 ${uniqueCode()}`;
    await sender().send({ id: 'k-3', to: '+254712345678', body });
    await waitForDelivery(up().fakesmscLog, `text ${body}>`);
  });

  it('sends text outside the GSM alphabet as UCS-2', async () => {
    const code = uniqueCode();
    const body = `Код ${code} ✓`;
    await sender().send({ id: 'k-4', to: '+254712345678', body });

    const line = await waitForDelivery(up().fakesmscLog, encodeForSearch(code));
    const data = /<MYBANK \+254712345678 ucs-2 (\S+)>/.exec(line)?.[1];
    expect(data && decodeUcs2(data)).toBe(body);
  });

  it('maps a wrong password to BusinessError SMS_REJECTED without leaking it or the text', async () => {
    const error = await sender({ password: 'not-the-password' })
      .send({ id: 'k-5', to: '+254712345678', body: 'secret text 987654' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BusinessError);
    const be = error as BusinessError;
    expect(be.code).toBe('SMS_REJECTED');
    expect(be.details).toMatchObject({ provider: 'kannel', status: 403, messageId: 'k-5' });
    const everything = be.message + JSON.stringify(be.details);
    expect(everything).toContain('Authorization failed');
    for (const secret of ['not-the-password', '987654', '+254712345678'])
      expect(everything).not.toContain(secret);
  });

  it('maps a number Kannel refuses (400) to BusinessError', async () => {
    const error = await sender()
      .send({ id: 'k-6', to: 'not-a-number', body: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).details).toMatchObject({ status: 400 });
  });
});

/** UCS-2 digits as fakesmsc prints them: %00 then the ASCII digit. */
function encodeForSearch(digits: string): string {
  return [...digits].map((d) => `%00${d}`).join('');
}

describe('Kannel SMS sender failure mapping', () => {
  const opts = { sendsmsUrl: 'http://kannel.invalid/cgi-bin/sendsms', username: 'u', password: 'pw-secret' };
  const message = { id: 'x-1', to: '+254712345678', body: 'otp 112233' };
  const answering = (status: number, text: string): typeof fetch =>
    jest.fn(async () => new Response(text, { status }));

  it('passes credentials, number, text and charset as sendsms query parameters', async () => {
    const fetchImpl = jest.fn(
      async (_url: string | URL | Request) => new Response('0: Accepted for delivery', { status: 202 }),
    );
    await createKannelSmsSender({ ...opts, from: 'BANK', fetchImpl }).send(message);

    const url = new URL(String(fetchImpl.mock.calls[0]?.[0]));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      username: 'u',
      password: 'pw-secret',
      to: '+254712345678',
      text: 'otp 112233',
      charset: 'UTF-8',
      from: 'BANK',
    });
  });

  it('accepts "3: Queued for later delivery"', async () => {
    const fetchImpl = answering(202, '3: Queued for later delivery');
    await expect(createKannelSmsSender({ ...opts, fetchImpl }).send(message)).resolves.toEqual({
      provider: 'kannel',
      providerMessageId: 'x-1',
    });
  });

  it.each([
    [503, 'Service unavailable'],
    [500, 'Internal error'],
    [429, 'Too many requests'],
    [202, '<html>proxy page</html>'],
  ])('maps HTTP %i "%s" to TransientError', async (status, text) => {
    const error = await createKannelSmsSender({ ...opts, fetchImpl: answering(status, text) })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
  });

  it('maps a timeout to TransientError', async () => {
    const server = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const error = await createKannelSmsSender({
        ...opts,
        sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`,
        timeoutMs: 200,
      })
        .send(message)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect(String(error)).toContain('no answer within 200 ms');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('maps a refused connection to TransientError without the password or text', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await createKannelSmsSender({
      ...opts,
      sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`,
    })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toContain('ECONNREFUSED');
    expect(String(error) + JSON.stringify(error)).not.toMatch(/pw-secret|112233/);
  });
});

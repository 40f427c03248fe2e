import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BusinessError, TransientError } from '../../adapters/errors';
import { createHttpWebhookSender } from '../../adapters/webhooks/http-sender';
import {
  createWebhookSender,
  verifyWebhook,
  type WebhookMessage,
  type WebhookTarget,
} from '../../adapters/webhooks';

const SECRET = 'whsec_' + Buffer.from('channel-backend-shared-secret').toString('base64');

interface Received {
  id: string;
  timestamp: string;
  contentType: string | undefined;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * A receiver as a channel backend would write one: verifies the signature over the raw
 * body, de-duplicates by webhook-id (409 for a repeat), and can be told to answer with
 * another status or to stall.
 */
class Receiver {
  readonly accepted: Received[] = [];
  readonly seen = new Set<string>();
  answer: number | null = null;
  stallMs = 0;
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      setTimeout(() => res.writeHead(this.statusFor(req, raw)).end(), this.stallMs);
    });
  }

  private statusFor(req: http.IncomingMessage, raw: Buffer): number {
    if (this.answer !== null) return this.answer;
    if (!verifyWebhook(SECRET, req.headers, raw)) return 401;
    const id = String(req.headers['webhook-id']);
    if (this.seen.has(id)) return 409;
    this.seen.add(id);
    this.accepted.push({
      id,
      timestamp: String(req.headers['webhook-timestamp']),
      contentType: req.headers['content-type'],
      body: JSON.parse(raw.toString('utf8')) as Received['body'],
    });
    return 204;
  }
}

const msg: WebhookMessage = {
  id: 'wh_onboard_42_username',
  type: 'ib-user.created',
  payload: { customerId: 'C42', username: 'jdoe42' },
};

describe('HTTP webhook delivery', () => {
  let receiver: Receiver;
  let target: WebhookTarget;

  beforeEach(async () => {
    receiver = new Receiver();
    target = { name: 'channel', url: await receiver.start(), secret: SECRET };
  });
  afterEach(() => receiver.stop());

  it('posts a signed Standard Webhooks payload that the receiver verifies', async () => {
    const at = new Date();
    const sender = createHttpWebhookSender({ now: () => at });
    await expect(sender.send(target, msg)).resolves.toEqual({ delivered: 'http', status: 204 });
    expect(receiver.accepted).toEqual([
      {
        id: msg.id,
        timestamp: String(Math.floor(at.getTime() / 1000)),
        contentType: 'application/json',
        body: { type: msg.type, timestamp: at.toISOString(), data: msg.payload },
      },
    ]);
  });

  it('keeps the id across retries, re-signs with the attempt time, and reports 409 as a duplicate', async () => {
    let clock = new Date();
    const sender = createHttpWebhookSender({ now: () => clock });
    await sender.send(target, msg);
    clock = new Date(clock.getTime() + 2_000);
    await expect(sender.send(target, msg)).resolves.toEqual({
      delivered: 'http',
      status: 409,
      duplicate: true,
    });
    expect(receiver.accepted).toHaveLength(1);
  });

  it('is refused by the receiver when signed with another secret', async () => {
    const sender = createHttpWebhookSender();
    const wrong = { ...target, secret: 'not-the-shared-secret' };
    const err = await sender.send(wrong, msg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessError);
    expect(err).toMatchObject({ code: 'WEBHOOK_REJECTED', details: { target: 'channel', status: 401 } });
  });

  it.each([400, 404, 410, 422])('treats %i as a definite rejection', async (status) => {
    receiver.answer = status;
    const err = await createHttpWebhookSender()
      .send(target, msg)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessError);
    expect(err).toMatchObject({ code: 'WEBHOOK_REJECTED', details: { status } });
  });

  it.each([408, 429, 500, 502, 503])('treats %i as transient', async (status) => {
    receiver.answer = status;
    const err = await createHttpWebhookSender()
      .send(target, msg)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain(String(status));
  });

  it('does not follow redirects', async () => {
    receiver.answer = 307;
    await expect(createHttpWebhookSender().send(target, msg)).rejects.toBeInstanceOf(BusinessError);
  });

  it('times out as a transient failure', async () => {
    receiver.stallMs = 500;
    const err = await createHttpWebhookSender({ timeoutMs: 50 })
      .send(target, msg)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('webhook channel: no answer within 50 ms');
  });

  it('treats a refused connection as transient', async () => {
    const url = target.url;
    await receiver.stop();
    const err = await createHttpWebhookSender()
      .send({ ...target, url }, msg)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('webhook channel: ECONNREFUSED');
    receiver = new Receiver(); // afterEach stops a fresh one
    await receiver.start();
  });

  it('rejects an unusable URL before any attempt', async () => {
    const fetchImpl = jest.fn<ReturnType<typeof fetch>, Parameters<typeof fetch>>();
    const sender = createHttpWebhookSender({ fetchImpl });
    await expect(sender.send({ ...target, url: 'ftp://example.test/x' }, msg)).rejects.toThrow(TypeError);
    await expect(sender.send({ ...target, url: 'not a url' }, msg)).rejects.toThrow(TypeError);
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});

describe('createWebhookSender', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhooks-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('posts to targets with a URL through the given fetch and writes nothing to the outbox', async () => {
    const fetchImpl = jest.fn<ReturnType<typeof fetch>, Parameters<typeof fetch>>(
      async () => new Response(null, { status: 200 }),
    );
    const outboxFile = path.join(dir, 'outbox', 'webhooks.jsonl');
    const sender = createWebhookSender({ outboxFile, fetchImpl });
    const target = { name: 'channel', url: 'https://channel.example.test/hooks', secret: SECRET };
    await expect(sender.send(target, msg)).resolves.toEqual({ delivered: 'http', status: 200 });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0] ?? [];
    expect(String(url)).toBe(target.url);
    const headers = new Headers(init?.headers);
    expect(verifyWebhook(SECRET, headers, String(init?.body))).toBe(true);
    expect(headers.get('webhook-id')).toBe(msg.id);
    expect(fs.existsSync(outboxFile)).toBe(false);
  });

  it('writes to the outbox when there is no target or the target has no URL', async () => {
    const fetchImpl = jest.fn<ReturnType<typeof fetch>, Parameters<typeof fetch>>();
    const outboxFile = path.join(dir, 'outbox', 'webhooks.jsonl');
    const sender = createWebhookSender({ outboxFile, fetchImpl });
    await expect(sender.send(null, msg)).resolves.toEqual({ delivered: 'outbox' });
    await expect(sender.send({ name: 'alerts', url: '', secret: '' }, msg)).resolves.toEqual({
      delivered: 'outbox',
    });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(fs.readFileSync(outboxFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses a message without an id', async () => {
    const sender = createWebhookSender({ outboxFile: path.join(dir, 'webhooks.jsonl') });
    await expect(sender.send(null, { ...msg, id: '' })).rejects.toThrow('webhook message id is required');
  });
});

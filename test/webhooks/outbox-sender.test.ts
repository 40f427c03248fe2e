import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOutboxWebhookSender, type WebhookOutboxRecord } from '../../adapters/webhooks/outbox-sender';
import type { WebhookMessage } from '../../adapters/webhooks';

const msg: WebhookMessage = {
  id: 'wh_update_7_linked',
  type: 'ib-user.phone-updated',
  payload: { customerId: 'C7', userId: 'U7' },
};

function lines(file: string): WebhookOutboxRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WebhookOutboxRecord);
}

describe('webhook outbox', () => {
  let dir: string;
  let file: string;
  const createdAt = new Date('2025-01-02T03:04:05.000Z');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-outbox-'));
    file = path.join(dir, 'outbox', 'webhooks.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per message', async () => {
    const sender = createOutboxWebhookSender(file, () => createdAt);
    await expect(sender.send(null, msg)).resolves.toEqual({ delivered: 'outbox' });
    expect(lines(file)).toEqual([
      {
        id: `outbox:${msg.id}`,
        webhookId: msg.id,
        type: msg.type,
        target: null,
        payload: msg.payload,
        createdAt: createdAt.toISOString(),
      },
    ]);
  });

  it('writes a retried delivery once, also from another process', async () => {
    const sender = createOutboxWebhookSender(file);
    await sender.send(null, msg);
    await expect(sender.send(null, msg)).resolves.toEqual({ delivered: 'outbox', duplicate: true });
    // a second instance reads what the first wrote (the worker restarted mid-retry)
    const restarted = createOutboxWebhookSender(file);
    await expect(restarted.send(null, msg)).resolves.toEqual({ delivered: 'outbox', duplicate: true });
    expect(lines(file)).toHaveLength(1);
  });

  it('keeps one record per target for the same message, each de-duplicated', async () => {
    const sender = createOutboxWebhookSender(file);
    const otp = { name: 'otp-gateway', url: '', secret: '' };
    const alerts = { name: 'alerts', url: '', secret: '' };
    await Promise.all([sender.send(otp, msg), sender.send(alerts, msg), sender.send(otp, msg)]);
    const records = lines(file);
    expect(records.map((r) => r.id).sort()).toEqual([`alerts:${msg.id}`, `otp-gateway:${msg.id}`]);
    expect(records.every((r) => r.webhookId === msg.id)).toBe(true);
    expect(records.map((r) => r.target).sort()).toEqual(['alerts', 'otp-gateway']);
  });
});

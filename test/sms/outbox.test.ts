import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOutboxSmsSender } from '../../adapters/sms/outbox';

describe('outbox SMS sender', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-outbox-'));
    file = path.join(dir, 'outbox', 'sms.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lines = () => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

  it('appends one line with exactly id, to, body and an ISO createdAt', async () => {
    const sender = createOutboxSmsSender(file);
    const before = Date.now();

    const receipt = await sender.send({ id: 'm-1', to: '+254712345678', body: 'Your code is 123456' });

    expect(sender.provider).toBe('outbox');
    expect(receipt).toEqual({ provider: 'outbox', providerMessageId: 'm-1' });
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    const record = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['id', 'to', 'body', 'createdAt']);
    expect(record).toMatchObject({ id: 'm-1', to: '+254712345678', body: 'Your code is 123456' });
    expect(record.createdAt).toBe(new Date(record.createdAt as string).toISOString());
    expect(Date.parse(record.createdAt as string)).toBeGreaterThanOrEqual(before - 1);
  });

  it('does not copy extra properties of the message into the file', async () => {
    const message = { id: 'm-2', to: '+254700000001', body: 'hi', secret: 'x' };
    await createOutboxSmsSender(file).send(message);
    expect(Object.keys(JSON.parse(lines()[0] ?? '') as object)).toEqual(['id', 'to', 'body', 'createdAt']);
  });

  it('writes a retried id once and returns the same receipt', async () => {
    const sender = createOutboxSmsSender(file);
    const message = { id: 'm-3', to: '+254712345678', body: 'once' };

    const first = await sender.send(message);
    const second = await sender.send(message);

    expect(second).toEqual(first);
    expect(lines()).toHaveLength(1);
  });

  it('de-duplicates concurrent sends and sends from another sender on the same file', async () => {
    const a = createOutboxSmsSender(file);
    const b = createOutboxSmsSender(file);
    const message = { id: 'm-4', to: '+254712345678', body: 'race' };

    await Promise.all([a.send(message), a.send(message)]);
    await b.send(message);
    await b.send({ id: 'm-5', to: '+254712345678', body: 'another' });

    expect(lines().map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['m-4', 'm-5']);
  });
});

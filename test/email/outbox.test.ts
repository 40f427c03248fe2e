import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOutboxEmailSender } from '../../adapters/email/outbox';

describe('outbox email sender', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-outbox-'));
    file = path.join(dir, 'outbox', 'email.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lines = () => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const message = (id: string) => ({
    id,
    to: 'alice@customer.example',
    subject: 'Welcome to Demo Bank',
    text: 'Your internet banking access is ready.\nKaribu.',
  });

  it('appends one line with exactly id, to, subject, text and an ISO createdAt', async () => {
    const sender = createOutboxEmailSender(file);
    const before = Date.now();

    const receipt = await sender.send(message('e-1'));

    expect(sender.provider).toBe('outbox');
    expect(receipt).toEqual({ provider: 'outbox', providerMessageId: 'e-1' });
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    const record = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['id', 'to', 'subject', 'text', 'createdAt']);
    expect(record).toMatchObject(message('e-1'));
    expect(record.createdAt).toBe(new Date(record.createdAt as string).toISOString());
    expect(Date.parse(record.createdAt as string)).toBeGreaterThanOrEqual(before - 1);
  });

  it('does not copy extra properties of the message into the file', async () => {
    const withExtras = { ...message('e-2'), html: '<b>x</b>', bcc: 'x@y.example' };
    await createOutboxEmailSender(file).send(withExtras);
    expect(Object.keys(JSON.parse(lines()[0] ?? '') as object)).toEqual([
      'id',
      'to',
      'subject',
      'text',
      'createdAt',
    ]);
  });

  it('writes a retried id once and returns the same receipt', async () => {
    const sender = createOutboxEmailSender(file);

    const first = await sender.send(message('e-3'));
    const second = await sender.send({ ...message('e-3'), subject: 'changed on retry' });

    expect(second).toEqual(first);
    expect(lines()).toHaveLength(1);
    expect((JSON.parse(lines()[0] ?? '') as { subject: string }).subject).toBe('Welcome to Demo Bank');
  });

  it('de-duplicates concurrent sends and sends from another sender on the same file', async () => {
    const a = createOutboxEmailSender(file);
    const b = createOutboxEmailSender(file);

    await Promise.all([a.send(message('e-4')), a.send(message('e-4'))]);
    await b.send(message('e-4'));
    await b.send(message('e-5'));

    expect(lines().map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['e-4', 'e-5']);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config';
import { createEmailSender, type EmailConfig } from '../../adapters/email';
import { parseMail, startSmtpServer } from './smtp-server';

describe('createEmailSender', () => {
  let dir: string;
  let base: Config;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-config-'));
    base = loadConfig({ DATA_DIR: dir });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to the outbox at <DATA_DIR>/outbox/email.jsonl', async () => {
    const sender = createEmailSender(base);
    await sender.send({ id: 'e-1', to: 'a@b.example', subject: 's', text: 't' });

    expect(sender.provider).toBe('outbox');
    const lines = fs
      .readFileSync(path.join(dir, 'outbox', 'email.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['e-1']);
  });

  it('refuses EMAIL_PROVIDER=smtp without SMTP_HOST', () => {
    const config: Config & Partial<EmailConfig> = { ...base, EMAIL_PROVIDER: 'smtp' };
    expect(() => createEmailSender(config)).toThrow(ConfigError);
    expect(() => createEmailSender(config)).toThrow(/SMTP_HOST/);
  });

  it('sends over SMTP with the configured host, port, credentials and From', async () => {
    const server = await startSmtpServer({
      authOptional: false,
      onAuth: (auth, _session, callback) =>
        auth.username === 'svc' && auth.password === 'pw'
          ? callback(null, { user: 'svc' })
          : callback(new Error('bad login')),
    });
    try {
      const config: Config & Partial<EmailConfig> = {
        ...base,
        EMAIL_PROVIDER: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: server.port,
        SMTP_SECURE: false,
        SMTP_USER: 'svc',
        SMTP_PASSWORD: 'pw',
        EMAIL_FROM: 'Test Bank <mail@test-bank.example>',
      };
      const sender = createEmailSender(config);
      await sender.send({ id: 'e-2', to: 'a@b.example', subject: 'Hello', text: 'Body' });

      expect(sender.provider).toBe('smtp');
      expect(server.received.map((m) => m.user)).toEqual(['svc']);
      expect(parseMail(server.received[0]?.raw ?? '').headers.get('from')).toBe(
        'Test Bank <mail@test-bank.example>',
      );
    } finally {
      await server.close();
    }
  });
});

import path from 'node:path';
import { ConfigError, type Config } from '../../config';
import { createOutboxEmailSender } from './outbox';
import { createSmtpEmailSender } from './smtp';
import type { EmailSender } from './types';

export type { EmailMessage, EmailReceipt, EmailSender } from './types';

/** The email keys of Config (config/index.ts), as loadConfig parses them. */
export interface EmailConfig {
  EMAIL_PROVIDER: 'outbox' | 'smtp';
  SMTP_HOST?: string;
  SMTP_PORT: number;
  SMTP_SECURE?: boolean;
  SMTP_REQUIRE_TLS?: boolean;
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
  EMAIL_FROM: string;
}

/** The schema's defaults, for a Config parsed without the email keys. */
const DEFAULTS = {
  EMAIL_PROVIDER: 'outbox',
  SMTP_PORT: 587,
  EMAIL_FROM: 'Demo Bank <no-reply@bank.example>',
} as const;

/** The email provider chosen by EMAIL_PROVIDER. */
export function createEmailSender(config: Config): EmailSender {
  // Partial: compiles whether or not config/index.ts declares the email keys yet.
  const c = config as Config & Partial<EmailConfig>;
  const provider = c.EMAIL_PROVIDER ?? DEFAULTS.EMAIL_PROVIDER;
  switch (provider) {
    case 'outbox':
      return createOutboxEmailSender(path.join(config.outboxDir, 'email.jsonl'));
    case 'smtp':
      if (!c.SMTP_HOST) throw new ConfigError(['SMTP_HOST: required when EMAIL_PROVIDER=smtp']);
      return createSmtpEmailSender({
        host: c.SMTP_HOST,
        port: c.SMTP_PORT ?? DEFAULTS.SMTP_PORT,
        secure: c.SMTP_SECURE,
        ...(c.SMTP_REQUIRE_TLS && { requireTls: true }),
        user: c.SMTP_USER,
        password: c.SMTP_PASSWORD,
        from: c.EMAIL_FROM ?? DEFAULTS.EMAIL_FROM,
      });
  }
}

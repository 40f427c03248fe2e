import { outboxProvider } from '../../lib/jsonl-outbox';
import type { EmailMessage, EmailSender } from './types';

/** One line of the email outbox file (docs/design.md, "Real parts"): exactly these keys. */
export interface OutboxEmailRecord {
  id: string;
  to: string;
  subject: string;
  text: string;
  /** ISO-8601 time the message was first written. */
  createdAt: string;
}

/** The embedded email provider (lib/jsonl-outbox.ts). */
export function createOutboxEmailSender(file: string): EmailSender {
  return outboxProvider(file, toRecord);
}

function toRecord(message: EmailMessage): OutboxEmailRecord {
  return {
    id: message.id,
    to: message.to,
    subject: message.subject,
    text: message.text,
    createdAt: new Date().toISOString(),
  };
}

import { JsonlOutbox } from '../../lib/jsonl-outbox';
import type { EmailMessage, EmailReceipt, EmailSender } from './types';

/** One line of the email outbox file (docs/design.md, "Real parts"): exactly these keys. */
export interface OutboxEmailRecord {
  id: string;
  to: string;
  subject: string;
  text: string;
  /** ISO-8601 time the message was first written. */
  createdAt: string;
}

/**
 * The embedded email provider: appends each message to a JSON-lines file instead of
 * sending it. A retried send of the same id is not written again and gets the same
 * receipt, as a provider with idempotent sends would answer.
 */
export function createOutboxEmailSender(file: string): EmailSender {
  const outbox = new JsonlOutbox<OutboxEmailRecord>(file);
  return {
    provider: 'outbox',
    async send(message: EmailMessage): Promise<EmailReceipt> {
      await outbox.append(toRecord(message));
      return { provider: 'outbox', providerMessageId: message.id };
    },
  };
}

/** Picks the fields by name, so extra properties on the message never reach the file. */
function toRecord(message: EmailMessage): OutboxEmailRecord {
  return {
    id: message.id,
    to: message.to,
    subject: message.subject,
    text: message.text,
    createdAt: new Date().toISOString(),
  };
}

import { JsonlOutbox } from '../../lib/jsonl-outbox';
import type { SmsMessage, SmsReceipt, SmsSender } from './types';

/** One line of the SMS outbox file (docs/design.md, "Real parts"): exactly these keys. */
export interface OutboxSmsRecord {
  id: string;
  to: string;
  body: string;
  /** ISO-8601 time the message was first written. */
  createdAt: string;
}

/**
 * The embedded SMS provider: appends each message to a JSON-lines file instead of
 * sending it. A retried send of the same id is not written again and gets the same
 * receipt, as a provider with idempotent sends would answer.
 */
export function createOutboxSmsSender(file: string): SmsSender {
  const outbox = new JsonlOutbox<OutboxSmsRecord>(file);
  return {
    provider: 'outbox',
    async send(message: SmsMessage): Promise<SmsReceipt> {
      await outbox.append(toRecord(message));
      return { provider: 'outbox', providerMessageId: message.id };
    },
  };
}

/** Picks the fields by name, so extra properties on the message never reach the file. */
function toRecord(message: SmsMessage): OutboxSmsRecord {
  return { id: message.id, to: message.to, body: message.body, createdAt: new Date().toISOString() };
}

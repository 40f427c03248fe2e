import { outboxProvider } from '../../lib/jsonl-outbox';
import type { SmsMessage, SmsSender } from './types';

/** One line of the SMS outbox file (docs/design.md, "Real parts"): exactly these keys. */
export interface OutboxSmsRecord {
  id: string;
  to: string;
  body: string;
  /** ISO-8601 time the message was first written. */
  createdAt: string;
}

/** The embedded SMS provider (lib/jsonl-outbox.ts). */
export function createOutboxSmsSender(file: string): SmsSender {
  return outboxProvider(file, toRecord);
}

function toRecord(message: SmsMessage): OutboxSmsRecord {
  return { id: message.id, to: message.to, body: message.body, createdAt: new Date().toISOString() };
}

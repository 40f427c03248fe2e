/** One SMS. `id` is stable across retries of the same logical message (de-duplication key). */
export interface SmsMessage {
  id: string;
  /** E.164 destination. */
  to: string;
  body: string;
}

export interface SmsReceipt {
  provider: string;
  providerMessageId: string;
}

/**
 * An SMS provider. Throws BusinessError (adapters/errors) for a definite refusal
 * (invalid number, blocked destination) and TransientError for anything retryable.
 */
export interface SmsSender {
  readonly provider: string;
  send(message: SmsMessage): Promise<SmsReceipt>;
}

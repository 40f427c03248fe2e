/** One email. `id` is stable across retries of the same logical message (de-duplication key). */
export interface EmailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
}

export interface EmailReceipt {
  provider: string;
  providerMessageId: string;
}

/**
 * An email provider. Throws BusinessError (adapters/errors) for a definite refusal
 * (mailbox rejected) and TransientError for anything retryable.
 */
export interface EmailSender {
  readonly provider: string;
  send(message: EmailMessage): Promise<EmailReceipt>;
}

import path from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { ConfigError, type Config } from '../../config';
import { createKannelSmsSender } from './kannel';
import { createOutboxSmsSender } from './outbox';
import { createTwilioSmsSender } from './twilio';
import { withClientSpan } from '../../lib/trace-http';
import type { SmsSender } from './types';

export type { SmsMessage, SmsReceipt, SmsSender } from './types';

/** The SMS provider chosen by SMS_PROVIDER; with a tracer, each send is a CLIENT span. */
export function createSmsSender(config: Config, tracer?: Tracer): SmsSender {
  const sender = providerSender(config);
  return tracer ? tracedSmsSender(sender, tracer) : sender;
}

/**
 * A span per send naming the provider only: the number and the text (an OTP, a
 * password) stay out. HTTP providers send the span's context as `traceparent`.
 */
export function tracedSmsSender(sender: SmsSender, tracer: Tracer): SmsSender {
  return {
    provider: sender.provider,
    send: (message) =>
      withClientSpan(tracer, `sms ${sender.provider}`, { 'sms.provider': sender.provider }, () =>
        sender.send(message),
      ),
  };
}

function providerSender(config: Config): SmsSender {
  switch (config.SMS_PROVIDER) {
    case 'outbox':
      return createOutboxSmsSender(path.join(config.outboxDir, 'sms.jsonl'));
    case 'kannel':
      return createKannelSmsSender({
        sendsmsUrl: required(config, 'KANNEL_SENDSMS_URL'),
        username: required(config, 'KANNEL_USERNAME'),
        password: required(config, 'KANNEL_PASSWORD'),
        from: config.KANNEL_FROM,
      });
    case 'twilio':
      return createTwilioSmsSender({
        accountSid: required(config, 'TWILIO_ACCOUNT_SID'),
        authToken: required(config, 'TWILIO_AUTH_TOKEN'),
        from: required(config, 'TWILIO_FROM'),
        apiBaseUrl: config.TWILIO_API_BASE_URL,
      });
  }
}

type OptionalKey =
  | 'KANNEL_SENDSMS_URL'
  | 'KANNEL_USERNAME'
  | 'KANNEL_PASSWORD'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM';

/** A key the chosen provider cannot do without (loadConfig checks only some of them). */
function required(config: Config, key: OptionalKey): string {
  const value = config[key];
  if (!value) throw new ConfigError([`${key}: required when SMS_PROVIDER=${config.SMS_PROVIDER}`]);
  return value;
}

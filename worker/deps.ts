import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { createCoreBankingHttpClient } from '../adapters/core-banking/http-client';
import { createSmsSender } from '../adapters/sms';
import { createWebhookSender } from '../adapters/webhooks';
import type { Config } from '../config';

/** The real clients behind the activities, chosen by configuration. */
export function activityDeps(config: Config): ActivityDeps {
  return {
    coreBanking: createCoreBankingHttpClient({
      baseUrl: config.CORE_BANKING_URL,
      timeoutMs: config.CORE_BANKING_TIMEOUT_MS,
    }),
    sms: createSmsSender(config),
    webhooks: createWebhookSender({ outboxFile: path.join(config.outboxDir, 'webhooks.jsonl') }),
    channelWebhook:
      config.CHANNEL_WEBHOOK_URL && config.CHANNEL_WEBHOOK_SECRET
        ? { name: 'channel', url: config.CHANNEL_WEBHOOK_URL, secret: config.CHANNEL_WEBHOOK_SECRET }
        : null,
    bankName: config.BANK_NAME,
  };
}

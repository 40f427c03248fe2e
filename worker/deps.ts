import path from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import { clientCredentials } from '../adapters/core-banking/client-credentials';
import { createCoreBankingHttpClient } from '../adapters/core-banking/http-client';
import { createEmailSender } from '../adapters/email';
import { identityProviderFromConfig } from '../adapters/identity-provider';
import { createSmsSender } from '../adapters/sms';
import { createWebhookSender } from '../adapters/webhooks';
import type { Config } from '../config';
import { destinationQuotaPolicy, userOtpLockPolicy } from '../config/mfa-policy';
import { loadServerKey } from '../lib/server-key';

/**
 * The real clients behind the activities, chosen by configuration. `temporalClient`
 * serves activities that talk to other workflows (the MFA destination quotas); with a
 * tracer, the core-banking, SMS and webhook calls are CLIENT spans.
 */
export function activityDeps(config: Config, temporalClient: Client, tracer?: Tracer): ActivityDeps {
  return {
    coreBanking: createCoreBankingHttpClient({
      baseUrl: config.CORE_BANKING_URL,
      timeoutMs: config.CORE_BANKING_TIMEOUT_MS,
      tracer,
      ...(config.CORE_BANKING_OAUTH_TOKEN_URL && {
        accessToken: clientCredentials({
          tokenUrl: config.CORE_BANKING_OAUTH_TOKEN_URL,
          clientId: config.CORE_BANKING_OAUTH_CLIENT_ID as string,
          clientSecret: config.CORE_BANKING_OAUTH_CLIENT_SECRET as string,
          ...(config.CORE_BANKING_OAUTH_SCOPE && { scope: config.CORE_BANKING_OAUTH_SCOPE }),
          timeoutMs: config.CORE_BANKING_TIMEOUT_MS,
        }),
      }),
    }),
    sms: createSmsSender(config, tracer),
    webhooks: createWebhookSender({ outboxFile: path.join(config.outboxDir, 'webhooks.jsonl'), tracer }),
    channelWebhook:
      config.CHANNEL_WEBHOOK_URL && config.CHANNEL_WEBHOOK_SECRET
        ? { name: 'channel', url: config.CHANNEL_WEBHOOK_URL, secret: config.CHANNEL_WEBHOOK_SECRET }
        : null,
    bankName: config.BANK_NAME,
    ...(config.MFA_WEBOTP_HOST && { webOtpHost: config.MFA_WEBOTP_HOST }),
    email: createEmailSender(config),
    ...identityProviderFromConfig(config),
    serverKey: loadServerKey({ configured: config.SERVER_HMAC_KEY, keysDir: config.keysDir }),
    temporal: {
      client: temporalClient,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      entityTaskQueue: config.entityTaskQueue,
    },
    destinationQuota: destinationQuotaPolicy(config),
    userOtpLock: userOtpLockPolicy(config),
    linkedSystems: new Map(
      config.LINKED_SYSTEMS.map((s) => [
        s.name,
        s.url && s.secret ? { name: s.name, url: s.url, secret: s.secret } : null,
      ]),
    ),
  };
}

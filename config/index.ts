import path from 'node:path';
import { z } from 'zod';
import { isKnownCountry } from '../lib/phone-policy';
import { envBool, envInt, envList, withoutBlanks, type Env } from './env';

const DEV_AUTH_ISSUER = 'ibmb-dev';
const DEV_AUTH_AUDIENCE = 'ibmb-api';

/**
 * Strict base64 of at least 32 bytes. Node decodes leniently (non-alphabet characters are
 * skipped), so 44 characters of junk would otherwise become a 0-byte HMAC key.
 */
const serverHmacKey = z
  .string()
  .refine(
    (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0 && Buffer.from(v, 'base64').length >= 32,
    'must be standard base64 of at least 32 bytes',
  );

/**
 * The one place configuration is read. Every variable, its default and meaning is
 * listed in README.md ("Configuration"); keep the two in step.
 */
const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATA_DIR: z.string().default('.data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `auto`: pretty on a terminal, JSON lines otherwise (files, pipes, log shippers). */
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),

    HOST: z.string().default('127.0.0.1'),
    /**
     * Express's `trust proxy`: unset trusts no X-Forwarded-For; a hop count, or addresses and
     * subnets of the proxies, e.g. `loopback, 10.0.0.0/8`. Only then is the client IP known.
     */
    TRUST_PROXY: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? false : /^\d+$/.test(v) ? Number(v) : v)),
    PORT: envInt(0, 65535).default(3000),
    API_BODY_LIMIT: z.string().default('32kb'),
    API_WAIT_BUDGET_MS: envInt(0, 60_000).default(10_000),
    API_MAX_WAIT_SECONDS: envInt(0, 60).default(30),
    /** The API's Prometheus metrics listener (api/metrics.ts); port 0 turns it off. */
    API_METRICS_HOST: z.string().default('127.0.0.1'),
    API_METRICS_PORT: envInt(0, 65535).default(9465),

    TEMPORAL_TASK_QUEUE: z.string().min(1).default('ibmb-user-lifecycle'),
    TEMPORAL_WORKFLOW_BUNDLE: z.string().optional(),
    WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
    WORKER_METRICS_PORT: envInt(0, 65535).default(9464),
    /** Runs kept in the worker's sticky cache: bounds its memory however many runs are open. */
    WORKER_MAX_CACHED_WORKFLOWS: envInt(0, 100_000).default(1000),

    PAYLOAD_KEYS: z.string().optional(),
    PAYLOAD_KEYS_FILE: z.string().optional(),
    PAYLOAD_KEY_CURRENT: z.string().optional(),
    /** Largest body /codec/* accepts (a page of history); checked after authentication. */
    CODEC_BODY_LIMIT: z.string().default('4mb'),
    CODEC_CORS_ORIGINS: envList.default(['http://127.0.0.1:8233', 'http://localhost:8233']),
    SERVER_HMAC_KEY: serverHmacKey.optional(),

    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().min(1).default(DEV_AUTH_ISSUER),
    AUTH_AUDIENCE: z.string().min(1).default(DEV_AUTH_AUDIENCE),
    /** Refused in production by the API and the worker (config/production.ts). */
    AUTH_DEV_KEYS: envBool.optional(),
    /** JOSE `typ` values accepted: access tokens only (RFC 9068 `at+jwt`, and IdPs' plain `JWT`). */
    AUTH_TOKEN_TYPES: envList.pipe(z.array(z.string()).min(1)).default(['at+jwt', 'JWT']),
    /** How long a verified token is trusted without a new signature check (0: check every time). */
    AUTH_TOKEN_CACHE_SECONDS: envInt(0, 300).default(60),

    CORE_BANKING_URL: z.url().default('http://127.0.0.1:4010'),
    CORE_BANKING_TIMEOUT_MS: envInt(100, 120_000).default(5_000),
    SIMULATOR_HOST: z.string().default('127.0.0.1'),
    SIMULATOR_PORT: envInt(0, 65535).default(4010),
    /**
     * The simulator's scrypt cost for password hashes. Production T24 hashes on its own
     * hardware; the benchmark lowers it so T24's hashing is not charged to the service
     * sharing its cores (simulator/passwords.ts).
     */
    SIMULATOR_SCRYPT_N: envInt(1024, 1_048_576)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
      .default(16_384),

    BANK_NAME: z.string().min(1).max(40).default('Demo Bank'),
    REQUIRED_DISCLOSURES: envList.default(['IB_TERMS', 'PRIVACY']),
    MAKER_CHECKER_TIMEOUT_HOURS: envInt(1, 24 * 14).default(24),

    SMS_PROVIDER: z.enum(['outbox', 'kannel', 'twilio']).default('outbox'),
    KANNEL_SENDSMS_URL: z.url().optional(),
    KANNEL_USERNAME: z.string().optional(),
    KANNEL_PASSWORD: z.string().optional(),
    KANNEL_FROM: z.string().optional(),
    TWILIO_ACCOUNT_SID: z.string().optional(),
    TWILIO_AUTH_TOKEN: z.string().optional(),
    TWILIO_FROM: z.string().optional(),
    TWILIO_API_BASE_URL: z.url().optional(),

    EMAIL_PROVIDER: z.enum(['outbox', 'smtp']).default('outbox'),
    SMTP_HOST: z.string().optional(),
    SMTP_PORT: envInt(1, 65535).default(587),
    SMTP_SECURE: envBool.optional(),
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    EMAIL_FROM: z.string().min(1).default('Demo Bank <no-reply@bank.example>'),

    /** Systems told about contact changes: JSON [{name, url?, secret?}]; no url → outbox. */
    LINKED_SYSTEMS: z
      .string()
      .transform((v, ctx) => {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(
        z
          .array(
            z
              .strictObject({
                name: z.string().regex(/^[a-z0-9-]{1,40}$/),
                url: z.url().optional(),
                secret: z.string().min(8).optional(),
              })
              // A URL without a secret would silently fall back to the outbox.
              .refine((s) => !s.url || !!s.secret, {
                message: 'a system with a url needs a secret',
                path: ['secret'],
              }),
          )
          .min(1),
      )
      .default([{ name: 'otp-delivery' }, { name: 'alerts' }]),

    /** A phone change waits this long, cancellable, before core banking is updated (0: at once). */
    PHONE_CHANGE_COOLING_OFF_MINUTES: envInt(0, 10_080).default(0),
    FIRST_TIME_PASSWORD_TTL_MINUTES: envInt(1, 43_200)
      .default(4320)
      .describe(
        'Minutes a first-time password (onboarding or reset) lives without a first login before it is revoked in core banking (OWASP ASVS 5.0 §6.4.1).',
      ),

    CHANNEL_WEBHOOK_URL: z.url().optional(),
    CHANNEL_WEBHOOK_SECRET: z.string().optional(),

    // MFA policy (docs/design.md, "MFA policy"); validity is capped at 10 minutes (NIST SP 800-63B).
    // Fewer than 6 digits is guessable within the attempt limits (NIST SP 800-63B: at least 6).
    MFA_CODE_LENGTH: envInt(6, 10).default(6),
    MFA_OTP_TTL_SECONDS: envInt(30, 600).default(300),
    MFA_MAX_VERIFY_ATTEMPTS: envInt(1, 10).default(5),
    MFA_MAX_RESENDS: envInt(0, 10).default(3),
    MFA_RESEND_COOLDOWN_SECONDS: envInt(0, 300).default(30),
    MFA_DESTINATION_MAX_PER_WINDOW: envInt(1, 1000).default(5),
    MFA_DESTINATION_WINDOW_MINUTES: envInt(1, 1440).default(10),
    MFA_DESTINATION_MAX_PER_DAY: envInt(1, 10_000).default(50),
    /** Pre-login codes per caller (token subject; with TRUST_PROXY, and client IP) per rolling hour. */
    MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: envInt(1, 1_000_000).default(1000),
    MFA_PRELOGIN_CALLER_SHARDS: envInt(1, 64).default(8),
    /** Wrong codes in a row across one user's challenges before that user's codes are refused. */
    MFA_USER_MAX_CONSECUTIVE_FAILURES: envInt(1, 1000).default(10),
    MFA_USER_LOCK_MINUTES: envInt(1, 1440).default(30),
    /** Countries (ISO 3166 alpha-2) whose mobile numbers may be texted a code; default the bank's own. */
    MFA_ALLOWED_COUNTRIES: envList
      .pipe(z.array(z.string().refine(isKnownCountry, 'an ISO 3166 alpha-2 country code')).min(1))
      .default(['KE']),

    // OpenTelemetry tracing (lib/tracing.ts), the SDK's standard variables; off unless an endpoint is set.
    OTEL_SDK_DISABLED: envBool.optional(),
    OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
    /** Host of the site that reads OTPs by WebOTP (`@host #code` line in the SMS); unset: no line. */
    MFA_WEBOTP_HOST: z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$/i,
        'a host name',
      )
      .optional(),
  })
  // What production additionally requires of the API and the worker is in config/production.ts.
  .superRefine((c, ctx) => {
    if (c.SMS_PROVIDER === 'kannel' && !(c.KANNEL_SENDSMS_URL && c.KANNEL_USERNAME && c.KANNEL_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANNEL_SENDSMS_URL'],
        message:
          'KANNEL_SENDSMS_URL, KANNEL_USERNAME and KANNEL_PASSWORD are required when SMS_PROVIDER=kannel',
      });
    }
    if (c.SMS_PROVIDER === 'twilio' && !(c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_ACCOUNT_SID'],
        message:
          'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are required when SMS_PROVIDER=twilio',
      });
    }
    if (c.EMAIL_PROVIDER === 'smtp' && !c.SMTP_HOST) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'required when EMAIL_PROVIDER=smtp' });
    }
    if (c.SMTP_USER && !c.SMTP_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'required with SMTP_USER' });
    }
    if (c.CHANNEL_WEBHOOK_URL && !c.CHANNEL_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHANNEL_WEBHOOK_SECRET'],
        message: 'required with CHANNEL_WEBHOOK_URL',
      });
    }
  });

type Raw = z.infer<typeof schema>;

export type Config = Raw & {
  /** Absolute DATA_DIR. */
  dataDir: string;
  outboxDir: string;
  keysDir: string;
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = schema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    keysDir: path.join(dataDir, 'keys'),
  };
}

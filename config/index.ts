import path from 'node:path';
import { z } from 'zod';
import { isKnownCountry } from '../rules/phone';
import { IDENTITY_FACTOR_NAMES } from '../messages/registration';
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
 * The one place configuration is read. Every variable describes itself (`.describe()`):
 * docs/configuration.md is generated from these (`npm run docs:config`; a test fails when
 * they differ), so a new variable is documented where it is declared.
 */
export const configSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'test', 'production'])
      .default('development')
      .describe(
        '`production`: the API and the worker refuse to start, listing every problem, unless the production rules hold (config/production.ts, docs/security.md).',
      ),
    DATA_DIR: z
      .string()
      .default('.data')
      .describe('All local state: SQLite, outboxes, dev keys, simulator state.'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Pino level.'),
    /** `auto`: pretty on a terminal, JSON lines otherwise (files, pipes, log shippers). */
    LOG_FORMAT: z
      .enum(['auto', 'json', 'pretty'])
      .default('auto')
      .describe(
        '`auto` (pretty on a terminal, JSON lines otherwise), `json` or `pretty`; masking is the same in all.',
      ),

    HOST: z.string().default('127.0.0.1').describe('The API listen address.'),
    /**
     * Express's `trust proxy`: unset trusts no X-Forwarded-For; a hop count, or addresses and
     * subnets of the proxies, e.g. `loopback, 10.0.0.0/8`. Only then is the client IP known.
     */
    TRUST_PROXY: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? false : /^\d+$/.test(v) ? Number(v) : v))
      .describe(
        "Express `trust proxy` (hop count, or proxy addresses/subnets such as `loopback`); only then is the client IP known, and each client network gets a pre-login budget of its own besides its subject's.",
      ),
    PORT: envInt(0, 65535).default(3000).describe('The API listen port.'),
    API_BODY_LIMIT: z.string().default('32kb').describe('Largest accepted JSON body (413 above).'),
    API_WAIT_BUDGET_MS: envInt(0, 60_000)
      .default(10_000)
      .describe('How long a write waits for the workflow before answering 202.'),
    API_MAX_WAIT_SECONDS: envInt(0, 60).default(30).describe('Cap on `Prefer: wait=N`.'),
    API_CALLER_MAX_PER_MINUTE: envInt(1, 1_000_000)
      .default(600)
      .describe(
        'Per API instance: verifies, resends, cancels and reads of challenges and processes one caller (token subject; behind `TRUST_PROXY`, and client network) may make per minute (429 `RATE_LIMITED`); a query on a closed run replays its history on a worker.',
      ),
    /** The API's Prometheus metrics listener (api/metrics.ts); port 0 turns it off. */
    API_METRICS_HOST: z
      .string()
      .default('127.0.0.1')
      .describe(
        "The API's Prometheus metrics listener (`/metrics` on this listener only; the public port answers 404).",
      ),
    API_METRICS_PORT: envInt(0, 65535).default(9465).describe("The API's metrics port; 0 turns it off."),

    TEMPORAL_TASK_QUEUE: z
      .string()
      .min(1)
      .default('ibmb-user-lifecycle')
      .describe('Task queue of the worker.'),
    TEMPORAL_ENTITY_TASK_QUEUE: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Unset: `<TEMPORAL_TASK_QUEUE>-entities`. Task queue of the MFA quota workflows, served by a second worker in the worker process with workflow task slots of its own, so a challenge waiting on its quota inside a workflow task cannot starve the quota it waits on.',
      ),
    TEMPORAL_WORKFLOW_BUNDLE: z
      .string()
      .optional()
      .describe('Unset: `dist/workflow-bundle.js` when built. Prebuilt workflow bundle for the worker.'),
    WORKER_METRICS_HOST: z
      .string()
      .default('127.0.0.1')
      .describe("The worker's SDK metrics listener, Prometheus format at `/metrics`."),
    WORKER_METRICS_PORT: envInt(0, 65535)
      .default(9464)
      .describe("The worker's metrics port; 0 turns them off."),
    /** Runs kept in the worker's sticky cache: bounds its memory however many runs are open. */
    WORKER_MAX_CACHED_WORKFLOWS: envInt(0, 100_000)
      .default(1000)
      .describe(
        "Runs the worker keeps in its sticky cache (its entity worker, a quarter as many); bounds the worker's memory whatever the number of open runs.",
      ),

    // Worker Versioning (worker/deployment.ts, docs/operations.md).
    WORKER_VERSIONING: envBool
      .default(true)
      .describe(
        '`true`: the worker joins a Worker Deployment Version (`WORKER_DEPLOYMENT_NAME` and the build id) and gets tasks only once ops make that version current or ramping; `false`: an unversioned worker.',
      ),
    WORKER_DEPLOYMENT_NAME: z
      .string()
      .regex(/^[^.:]+$/, 'a name without `.` or `:`')
      .default('ibmb-user-lifecycle')
      .describe('Worker Deployment the worker versions belong to (one per service and namespace).'),
    WORKER_BUILD_ID: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        "Unset: `<package version>+<commit>` as `npm run build` recorded it (`IBMB_COMMIT`, else git). The build id of this worker's Deployment Version.",
      ),

    PAYLOAD_KEYS: z
      .string()
      .optional()
      .describe(
        'Unset: generated in `DATA_DIR/keys/payload-keys`. AES-256 payload keys `kid:base64,…`; required in production.',
      ),
    PAYLOAD_KEYS_FILE: z
      .string()
      .optional()
      .describe('A file holding the same `kid:base64,…` list (a mounted secret).'),
    PAYLOAD_KEY_CURRENT: z
      .string()
      .optional()
      .describe('Unset: first key. Key id that encrypts new payloads (older ids still decrypt).'),
    /** Largest body /codec/* accepts (a page of history); checked after authentication. */
    CODEC_BODY_LIMIT: z
      .string()
      .default('4mb')
      .describe(
        'Largest body `/codec/*` accepts (checked after authentication; `API_BODY_LIMIT` does not apply there).',
      ),
    CODEC_CORS_ORIGINS: envList
      .default(['http://127.0.0.1:8233', 'http://localhost:8233'])
      .describe('Browser origins (the Temporal UI) allowed to call `/codec/*`.'),
    SERVER_HMAC_KEY: serverHmacKey
      .optional()
      .describe(
        'Unset: generated in `DATA_DIR/keys`. Standard base64 of ≥ 32 bytes (refused otherwise, in every environment) for request and OTP digests and sealed codes; API and worker must share it; required in production.',
      ),

    AUTH_JWKS_URL: z
      .url()
      .optional()
      .describe('JWKS of the identity provider; production: required, `https`.'),
    AUTH_ISSUER: z
      .string()
      .min(1)
      .default(DEV_AUTH_ISSUER)
      .describe('Required `iss` of tokens; production: must be set (the dev default is refused).'),
    AUTH_AUDIENCE: z
      .string()
      .min(1)
      .default(DEV_AUTH_AUDIENCE)
      .describe('Required `aud` of tokens; production: must be set (the dev default is refused).'),
    /** Refused in production by the API and the worker (config/production.ts). */
    IBMB_DEV_ONLY_SAMPLES: envBool
      .optional()
      .describe(
        'DEV ONLY, set by docker/dev-only/production.env alone: `true` lets production run with the public samples of docker/dev-only/ and the simulator; never in a deployment.',
      ),
    AUTH_DEV_KEYS: envBool
      .optional()
      .describe(
        '`true` is refused in production (it used to allow the dev key there); run demos with `NODE_ENV=development`.',
      ),
    /** JOSE `typ` values accepted: access tokens only (RFC 9068 `at+jwt`; elsewhere also IdPs' plain `JWT`). */
    AUTH_TOKEN_TYPES: envList
      .pipe(z.array(z.string()).min(1))
      .optional()
      .describe(
        'Unset: `at+jwt` in production (RFC 9068: `JWT` is the `typ` of ID tokens at most identity providers), `at+jwt,JWT` elsewhere. Accepted JOSE `typ` header values (case-insensitive, `application/` optional): access tokens only; a token without `typ` or `exp` is refused.',
      ),
    /** How long a verified token is trusted without a new signature check (0: check every time). */
    AUTH_TOKEN_CACHE_SECONDS: envInt(0, 300)
      .default(60)
      .describe(
        'A verified token is trusted this long (at most until its `exp`) without a new signature check, and the JWKS is refetched when older than this: a key withdrawn from the JWKS stops working within twice it; `0` checks every request against a JWKS fetched for it.',
      ),

    /** Which claim of an accepted token names the IB user a user-bound route acts for. */
    AUTH_USER_ID_CLAIM: z
      .string()
      .min(1)
      .default('sub')
      .describe(
        'The token claim holding the IB user id that user-bound routes bind to (Keycloak realm of docker/keycloak: `ib_user_id`); a token without it is bound by `sub`.',
      ),

    IDENTITY_PROVIDER: z
      .enum(['core-banking', 'keycloak'])
      .default('core-banking')
      .describe(
        "Who holds IB users' logins: `core-banking` (passwords in core banking) or `keycloak` (users, passwords, the first-login change and sessions in Keycloak; docs/keycloak.md).",
      ),
    KEYCLOAK_URL: z
      .url()
      .optional()
      .describe(
        'Keycloak base URL (no `/realms`), required with IDENTITY_PROVIDER=keycloak; production: `https`.',
      ),
    KEYCLOAK_REALM: z.string().min(1).default('ibmb').describe('The realm holding IB users.'),
    KEYCLOAK_ADMIN_CLIENT_ID: z
      .string()
      .min(1)
      .default('ibmb-identity-admin')
      .describe(
        "Client whose service account (realm-management `manage-users` only) manages the realm's users.",
      ),
    KEYCLOAK_ADMIN_CLIENT_SECRET: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Secret of KEYCLOAK_ADMIN_CLIENT_ID; required with IDENTITY_PROVIDER=keycloak (worker only).',
      ),
    KEYCLOAK_TIMEOUT_MS: envInt(100, 120_000).default(5_000).describe('Per-call timeout to Keycloak.'),

    CORE_BANKING_URL: z
      .url()
      .default('http://127.0.0.1:4010')
      .describe('ESB base URL; unset: the simulator on this machine (required in production).'),
    // At most 10 s: an activity attempt (30 s; 1 min for the password, whose three calls
    // and SMS fit) must outlive the calls it makes, or a cut attempt's write lands late.
    CORE_BANKING_TIMEOUT_MS: envInt(100, 10_000)
      .default(5_000)
      .describe('Per-call timeout to the ESB (at most 10 s: an activity attempt outlives its calls).'),
    CORE_BANKING_OAUTH_TOKEN_URL: z
      .url()
      .optional()
      .describe(
        "OAuth 2.0 token endpoint the worker gets its ESB bearer token from (client credentials); production needs it, `https`, or the ESB's client authentication is none.",
      ),
    CORE_BANKING_OAUTH_CLIENT_ID: z
      .string()
      .min(1)
      .optional()
      .describe("The worker's client id at that endpoint."),
    CORE_BANKING_OAUTH_CLIENT_SECRET: z
      .string()
      .min(1)
      .optional()
      .describe('Its client secret (sent in the Basic header, never in a URL).'),
    CORE_BANKING_OAUTH_SCOPE: z.string().min(1).optional().describe('Scope asked for, if the ESB wants one.'),
    SIMULATOR_HOST: z.string().default('127.0.0.1').describe('The core-banking simulator listen address.'),
    SIMULATOR_PORT: envInt(0, 65535).default(4010).describe('The core-banking simulator listen port.'),
    /**
     * The simulator's scrypt cost for password hashes. Production T24 hashes on its own
     * hardware; the benchmark lowers it so T24's hashing is not charged to the service
     * sharing its cores (simulator/passwords.ts).
     */
    SIMULATOR_SCRYPT_N: envInt(1024, 1_048_576)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
      .default(16_384)
      .describe(
        "Scrypt cost (N) of the simulator's password hashes: a power of two, 1024–1048576; the benchmark lowers it so T24's hashing is not charged to the service.",
      ),

    BANK_NAME: z.string().min(1).max(40).default('Demo Bank').describe('Name in customer messages.'),
    REQUIRED_DISCLOSURES: envList
      .default(['IB_TERMS', 'PRIVACY'])
      .describe('Disclosures a customer must accept to onboard.'),
    DISCLOSURE_VERSIONS: envList
      .pipe(z.array(z.string().regex(/^[A-Z0-9_]{1,40}=[1-9]\d{0,3}$/, 'CODE=version')))
      .default([])
      .describe(
        'Current version of each required disclosure, as CODE=version items (e.g. IB_TERMS=2); unlisted ones are at version 1.',
      ),
    REGISTRATION_IDENTITY_MAX_PER_WINDOW: envInt(1, 1000)
      .default(5)
      .describe('Identity checks one identity (name and date of birth) may have per window, matched or not.'),
    REGISTRATION_IDENTITY_WINDOW_MINUTES: envInt(1, 1440)
      .default(60)
      .describe('Length of the identity-check window of self-registration, in minutes.'),
    REGISTRATION_IDENTITY_MAX_PER_DAY: envInt(1, 10_000)
      .default(10)
      .describe('Identity checks one identity may have in a rolling day.'),
    REGISTRATION_IDENTITY_FACTORS: envList
      .pipe(z.array(z.enum(IDENTITY_FACTOR_NAMES)))
      .default(['NATIONAL_ID'])
      .describe(
        'Identity factors self-registration requires besides name and date of birth: `NATIONAL_ID` (the full Social Security number or its last 4), `FULL_NATIONAL_ID`, `POSTAL_ADDRESS`, `PHONE`, `EMAIL`, `MOTHERS_MAIDEN_NAME`. Every factor given is matched against what core banking holds.',
      ),
    ONBOARDING_REQUIRES_PHONE_PROOF: envBool
      .default(false)
      .describe(
        '`POST /open-user-ib` needs `phoneProof`, a verified pre-login `ONBOARDING` challenge sent to the mobile on file (403 `MFA_REQUIRED` without one); given, it is consumed once and the first-time password goes to that number only.',
      ),
    MAKER_CHECKER_TIMEOUT_HOURS: envInt(1, 24 * 14)
      .default(24)
      .describe('How long a user pending authorisation is awaited.'),

    SMS_PROVIDER: z
      .enum(['outbox', 'kannel', 'twilio'])
      .default('outbox')
      .describe('`outbox` (`DATA_DIR/outbox/sms.jsonl`), `kannel` or `twilio`.'),
    KANNEL_SENDSMS_URL: z.url().optional().describe('Kannel smsbox `sendsms` URL (`SMS_PROVIDER=kannel`).'),
    KANNEL_USERNAME: z.string().optional().describe('Kannel `sendsms` user.'),
    KANNEL_PASSWORD: z.string().optional().describe('Kannel `sendsms` password.'),
    KANNEL_FROM: z.string().optional().describe('Sender id Kannel sends from.'),
    TWILIO_ACCOUNT_SID: z.string().optional().describe('Twilio account (`SMS_PROVIDER=twilio`).'),
    TWILIO_AUTH_TOKEN: z.string().optional().describe('Twilio auth token.'),
    TWILIO_FROM: z.string().optional().describe('Twilio sender number.'),
    TWILIO_API_BASE_URL: z
      .url()
      .optional()
      .describe('Twilio API base URL (tests point it at a local stand-in).'),

    EMAIL_PROVIDER: z
      .enum(['outbox', 'smtp'])
      .default('outbox')
      .describe('`outbox` (`DATA_DIR/outbox/email.jsonl`) or `smtp`.'),
    SMTP_HOST: z.string().optional().describe('SMTP server (`EMAIL_PROVIDER=smtp`, via nodemailer).'),
    SMTP_PORT: envInt(1, 65535).default(587).describe('SMTP port.'),
    SMTP_SECURE: envBool.optional().describe('Implicit TLS; on by default for port 465.'),
    SMTP_REQUIRE_TLS: envBool
      .optional()
      .describe('STARTTLS required: no message goes out over a connection that did not upgrade to TLS.'),
    SMTP_USER: z.string().optional().describe('SMTP user.'),
    SMTP_PASSWORD: z.string().optional().describe('SMTP password (required with `SMTP_USER`).'),
    EMAIL_FROM: z
      .string()
      .min(1)
      .default('Demo Bank <no-reply@bank.example>')
      .describe('From address of every email.'),

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
      .default([{ name: 'otp-delivery' }, { name: 'alerts' }])
      .describe(
        'JSON list of systems told about contact changes: `{name, url?, secret?}`; without `url` a system gets outbox records.',
      ),

    /** A phone change waits this long, cancellable, before core banking is updated (0: at once). */
    PHONE_CHANGE_COOLING_OFF_MINUTES: envInt(0, 10_080)
      .default(0)
      .describe(
        'Minutes a phone change waits, cancellable (`POST /update-user-ib/{processId}/cancel`), before core banking is updated; 0: at once.',
      ),
    FIRST_TIME_PASSWORD_TTL_MINUTES: envInt(1, 43_200)
      .default(4320)
      .describe(
        'Minutes a first-time password (onboarding or reset) lives without a first login before it is revoked in core banking (OWASP ASVS 5.0 §6.4.1).',
      ),

    CHANNEL_WEBHOOK_URL: z
      .url()
      .optional()
      .describe(
        'Channel backend receiving username sync (Standard Webhooks); unset: the outbox `DATA_DIR/outbox/webhooks.jsonl` (refused in production).',
      ),
    CHANNEL_WEBHOOK_SECRET: z
      .string()
      .optional()
      .describe('`whsec_…` signing secret of the channel webhook (required with its URL).'),

    // MFA policy (docs/design.md, "MFA policy"); validity is capped at 10 minutes (NIST SP 800-63B).
    // Fewer than 6 digits is guessable within the attempt limits (NIST SP 800-63B: at least 6).
    MFA_CODE_LENGTH: envInt(6, 10).default(6).describe('Digits of an OTP (6–10).'),
    MFA_OTP_TTL_SECONDS: envInt(30, 600)
      .default(300)
      .describe('Validity of a code (30–600: never over 10 minutes); a resend never extends it.'),
    MFA_MAX_VERIFY_ATTEMPTS: envInt(1, 10)
      .default(5)
      .describe('Wrong codes before a challenge is `LOCKED` (423 `MAX_ATTEMPTS_EXCEEDED`).'),
    MFA_MAX_RESENDS: envInt(0, 10)
      .default(3)
      .describe('Resends per challenge; each re-delivers the same, still valid code.'),
    MFA_RESEND_COOLDOWN_SECONDS: envInt(0, 300)
      .default(30)
      .describe('Time between sends of one challenge (429 `RESEND_TOO_SOON` with `Retry-After`).'),
    MFA_DESTINATION_MAX_PER_WINDOW: envInt(1, 1000)
      .default(5)
      .describe(
        'Codes sent to one phone or email per rolling window, across challenges (429 `DESTINATION_RATE_LIMITED`).',
      ),
    MFA_DESTINATION_WINDOW_MINUTES: envInt(1, 1440)
      .default(10)
      .describe('The rolling window of `MFA_DESTINATION_MAX_PER_WINDOW`, in minutes.'),
    MFA_DESTINATION_MAX_PER_DAY: envInt(1, 10_000)
      .default(50)
      .describe('Codes sent to one phone or email per rolling 24 hours, across challenges.'),
    /** Pre-login codes per token subject per rolling hour, whatever client address it comes from. */
    MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR: envInt(1, 1_000_000)
      .default(1000)
      .describe(
        'Pre-login codes (bound to no user) per token subject and rolling hour, durably and exactly, across client addresses (429 `CALLER_RATE_LIMITED`); behind `TRUST_PROXY` each client network also has `MFA_PRELOGIN_MAX_PER_NETWORK_PER_HOUR`.',
      ),
    MFA_PRELOGIN_CALLER_SHARDS: envInt(1, 64)
      .default(8)
      .describe(
        "Quota workflows one caller's pre-login budget is spread over (never more than the budget), so a busy caller is no single hot entity; a full shard passes the send to the next, so the budget is exact.",
      ),
    MFA_PRELOGIN_MAX_PER_NETWORK_PER_HOUR: envInt(1, 1_000_000)
      .default(100)
      .describe(
        'Behind `TRUST_PROXY`: pre-login codes per client network (an IPv4 address or an IPv6 /64, as the trusted proxy forwards it) and rolling hour, across subjects, besides the per-subject budget (429 `CALLER_RATE_LIMITED`). A backend calling for many users from one address is one network: raise it for such callers, or leave `TRUST_PROXY` unset.',
      ),
    MFA_USER_NEW_DESTINATION_MAX_PER_HOUR: envInt(1, 100)
      .default(3)
      .describe(
        'Codes per user and rolling hour to a phone or email its caller names (not on file: `UPDATE_PHONE`, its own `ONBOARDING` to a typed number), across destinations (429 `USER_RATE_LIMITED`).',
      ),
    MFA_USER_NEW_DESTINATION_MAX_PER_DAY: envInt(1, 1000)
      .default(5)
      .describe('The same per rolling 24 hours.'),
    /** Wrong codes in a row across one user's challenges before that user's codes are refused. */
    MFA_USER_MAX_CONSECUTIVE_FAILURES: envInt(1, 1000)
      .default(10)
      .describe(
        "Wrong codes in a row across one user's challenges before its codes are refused (423 `USER_OTP_LOCKED`); a right code resets; challenges without a user do not count.",
      ),
    MFA_USER_LOCK_MINUTES: envInt(1, 1440)
      .default(30)
      .describe(
        "How long a locked user's codes are refused, on create (nothing sent) and verify, with `Retry-After` (a durable timer in the user's `MfaUserOtpLock` workflow).",
      ),
    MFA_CONCEALED_MIN_ANSWER_MS: envInt(0, 10_000)
      .default(1500)
      .describe(
        'Milliseconds a create or resend of a concealed challenge (a pre-login caller naming a userId) takes at least, so a decoy answers no faster than a real send; 0 turns it off.',
      ),
    /** Countries (ISO 3166 alpha-2) whose mobile numbers may be texted a code; default the bank's own. */
    MFA_ALLOWED_COUNTRIES: envList
      .pipe(z.array(z.string().refine(isKnownCountry, 'an ISO 3166 alpha-2 country code')).min(1))
      .default(['KE'])
      .describe(
        'ISO 3166 alpha-2 countries whose mobile numbers (validated with libphonenumber-js) may be texted a code.',
      ),

    // OpenTelemetry tracing (lib/tracing.ts), the SDK's standard variables; off unless an endpoint is set.
    OTEL_SDK_DISABLED: envBool.optional().describe('`true` turns tracing off whatever else is set.'),
    OTEL_TRACES_EXPORTER: z
      .enum(['none', 'otlp'])
      .optional()
      .describe(
        'Unset: `otlp` when an endpoint is set. `none` turns tracing off; `otlp` alone, without an endpoint, does not turn it on.',
      ),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url()
      .optional()
      .describe(
        'OTLP/HTTP collector base URL (spans to `/v1/traces`); setting it (or the next) turns tracing on.',
      ),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
      .url()
      .optional()
      .describe('Full traces URL, used as is; wins over the base endpoint.'),
    OTEL_SERVICE_NAME: z
      .string()
      .min(1)
      .optional()
      .describe("Unset: `ibmb-api` / `ibmb-worker`. Service name of the process's spans."),
    INFINITY_MFA_COMMUNICATION_TYPE: z
      .enum(['DISPLAY_PRIMARY', 'DISPLAY_ALL'])
      .default('DISPLAY_PRIMARY')
      .describe(
        'Infinity DbxUser `requestOTP…` without a serviceKey: `DISPLAY_PRIMARY` sends the code at once to every contact on file (or to those `MFAAttributes.OTP.phone`/`email` name); `DISPLAY_ALL` only lists the contacts (`OFFERED`) and sends once a request with the serviceKey names the choice.',
      ),
    /** Host of the site that reads OTPs by WebOTP (`@host #code` line in the SMS); unset: no line. */
    MFA_WEBOTP_HOST: z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$/i,
        'a host name',
      )
      .optional()
      .describe(
        "Host name of the bank's site or app: OTP SMS then end with the WebOTP / SMS Retriever line `@host #code`.",
      ),
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
    if (
      c.CORE_BANKING_OAUTH_TOKEN_URL &&
      !(c.CORE_BANKING_OAUTH_CLIENT_ID && c.CORE_BANKING_OAUTH_CLIENT_SECRET)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['CORE_BANKING_OAUTH_CLIENT_ID'],
        message:
          'CORE_BANKING_OAUTH_CLIENT_ID and CORE_BANKING_OAUTH_CLIENT_SECRET are required with its token URL',
      });
    }
    if (c.SMTP_USER && !c.SMTP_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'required with SMTP_USER' });
    }
    if (c.IDENTITY_PROVIDER === 'keycloak' && !c.KEYCLOAK_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['KEYCLOAK_URL'],
        message: 'required when IDENTITY_PROVIDER=keycloak',
      });
    }
    if (c.CHANNEL_WEBHOOK_URL && !c.CHANNEL_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHANNEL_WEBHOOK_SECRET'],
        message: 'required with CHANNEL_WEBHOOK_URL',
      });
    }
  });

type Raw = z.infer<typeof configSchema>;

/** Access tokens only: RFC 9068's `typ` in production; elsewhere also `JWT` (the dev keys' tokens). */
const defaultTokenTypes = (env: Raw['NODE_ENV']) => (env === 'production' ? ['at+jwt'] : ['at+jwt', 'JWT']);

export type Config = Omit<Raw, 'AUTH_TOKEN_TYPES'> & {
  AUTH_TOKEN_TYPES: string[];
  /** Absolute DATA_DIR. */
  dataDir: string;
  outboxDir: string;
  keysDir: string;
  /** TEMPORAL_ENTITY_TASK_QUEUE, or its default. */
  entityTaskQueue: string;
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = configSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    AUTH_TOKEN_TYPES: parsed.data.AUTH_TOKEN_TYPES ?? defaultTokenTypes(parsed.data.NODE_ENV),
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    keysDir: path.join(dataDir, 'keys'),
    entityTaskQueue: parsed.data.TEMPORAL_ENTITY_TASK_QUEUE ?? `${parsed.data.TEMPORAL_TASK_QUEUE}-entities`,
  };
}

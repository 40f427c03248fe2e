import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ConfigError, loadConfig, type Config } from './index';
import { withoutBlanks, type Env } from './env';
import { temporalConnectConfig } from './temporal';

const TRUE = new Set(['true', '1', 'yes']);

/**
 * SHA-256 (hex) of the public samples in docker/dev-only/ (test/unit/production-config
 * checks them against the files): production refuses each unless IBMB_DEV_ONLY_SAMPLES is
 * on, which only docker/dev-only/production.env sets. Fingerprints, so the code does not
 * carry a key anyone could copy from it.
 */
export const DEV_ONLY_SAMPLE_FINGERPRINTS = {
  /** Of the decoded key bytes: another spelling of the same key is refused too. */
  SERVER_HMAC_KEY: ['9fadf92995768725cc45895a0c3efb57894e5773b1e4f2f904c1eb028433dfbd'],
  /** Of each key's decoded bytes, whatever its kid. */
  PAYLOAD_KEYS: ['d61c6555692d85e0194e11313a15c5197790904aa69c89bcb877340a9c065eb0'],
  CHANNEL_WEBHOOK_SECRET: ['69e450dde8a59e7fced9a2e3ccecf80914b069a5c55f07668e9342c9d4de7edb'],
  KANNEL_PASSWORD: ['488235f0830279d50d70c9421628ddd44a8ae78284cf1d30abecf76f28286da7'],
  KEYCLOAK_ADMIN_CLIENT_SECRET: ['91a4809125aa730875c4c0327a6f8dcc7bad998c866d1bafac51b23dd9ac6b91'],
} as const;

/** The core-banking simulator as docker-compose.yml reaches it: a stand-in for T24/ESB. */
const SIMULATOR_URLS = new Set(['http://simulator:4010', 'http://simulator:4010/']);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const isSample = (name: keyof typeof DEV_ONLY_SAMPLE_FINGERPRINTS, b: Buffer | string) =>
  (DEV_ONLY_SAMPLE_FINGERPRINTS[name] as readonly string[]).includes(sha256(b));

/** The payload keys' bytes, from PAYLOAD_KEYS or its file; unreadable ones are the keyring's to report. */
function payloadKeyBytes(env: Env): Buffer[] {
  let list = env.PAYLOAD_KEYS;
  if (!list && env.PAYLOAD_KEYS_FILE) {
    try {
      list = fs.readFileSync(env.PAYLOAD_KEYS_FILE, 'utf8');
    } catch {
      return [];
    }
  }
  return (list ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => Buffer.from(e.slice(e.indexOf(':') + 1), 'base64'));
}

/** Each public sample of docker/dev-only/ this environment carries, by variable name. */
function samplesIn(env: Env): string[] {
  const found: string[] = [];
  if (env.SERVER_HMAC_KEY && isSample('SERVER_HMAC_KEY', Buffer.from(env.SERVER_HMAC_KEY, 'base64')))
    found.push('SERVER_HMAC_KEY');
  if (payloadKeyBytes(env).some((k) => isSample('PAYLOAD_KEYS', k)))
    found.push(env.PAYLOAD_KEYS ? 'PAYLOAD_KEYS' : 'PAYLOAD_KEYS_FILE');
  if (env.CHANNEL_WEBHOOK_SECRET && isSample('CHANNEL_WEBHOOK_SECRET', env.CHANNEL_WEBHOOK_SECRET))
    found.push('CHANNEL_WEBHOOK_SECRET');
  if (env.KANNEL_PASSWORD && isSample('KANNEL_PASSWORD', env.KANNEL_PASSWORD)) found.push('KANNEL_PASSWORD');
  if (
    env.KEYCLOAK_ADMIN_CLIENT_SECRET &&
    isSample('KEYCLOAK_ADMIN_CLIENT_SECRET', env.KEYCLOAK_ADMIN_CLIENT_SECRET)
  )
    found.push('KEYCLOAK_ADMIN_CLIENT_SECRET');
  if (env.CORE_BANKING_URL && SIMULATOR_URLS.has(env.CORE_BANKING_URL)) found.push('CORE_BANKING_URL');
  return found;
}

/**
 * What the API and the worker refuse to run with when NODE_ENV=production: every
 * setting that is safe on a laptop (outboxes, dev keys generated under DATA_DIR,
 * dev issuer/audience) but would silently leak or lose data in production. Read from
 * the raw environment, so the list is complete even when other values are invalid.
 */
export function productionProblems(rawEnv: Env): string[] {
  const env = withoutBlanks(rawEnv);
  const problems: string[] = [];
  const need = (name: string, why: string) => {
    if (!env[name]) problems.push(`${name}: required when NODE_ENV=production (${why})`);
  };
  if (!env.SMS_PROVIDER || env.SMS_PROVIDER === 'outbox')
    problems.push('SMS_PROVIDER: the outbox is refused when NODE_ENV=production (codes would go to a file)');
  if (!env.EMAIL_PROVIDER || env.EMAIL_PROVIDER === 'outbox')
    problems.push(
      'EMAIL_PROVIDER: the outbox is refused when NODE_ENV=production (codes would go to a file)',
    );
  if (TRUE.has(env.AUTH_DEV_KEYS ?? ''))
    problems.push('AUTH_DEV_KEYS: dev keys are refused when NODE_ENV=production');
  need('AUTH_JWKS_URL', 'without it tokens are checked against a dev key under DATA_DIR');
  if (env.AUTH_JWKS_URL && !/^https:\/\//i.test(env.AUTH_JWKS_URL))
    problems.push('AUTH_JWKS_URL: must be an https URL when NODE_ENV=production');
  if (env.KEYCLOAK_URL && !/^https:\/\//i.test(env.KEYCLOAK_URL))
    problems.push(
      'KEYCLOAK_URL: must be an https URL when NODE_ENV=production (admin token and passwords travel on it)',
    );
  need('AUTH_ISSUER', 'the dev issuer is not accepted');
  need('AUTH_AUDIENCE', 'the dev audience is not accepted');
  if (!env.PAYLOAD_KEYS && !env.PAYLOAD_KEYS_FILE)
    problems.push(
      'PAYLOAD_KEYS: PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required when NODE_ENV=production (no dev payload keys)',
    );
  need('SERVER_HMAC_KEY', 'the API and every worker must share it; no key generated under DATA_DIR');
  need('CHANNEL_WEBHOOK_URL', 'usernames would go to an outbox file instead of the channel');
  need('CORE_BANKING_URL', 'the default is the core-banking simulator on this machine');
  // The dev-only stack (docker/dev-only/) runs its stand-ins on one private network: the
  // flag waives a cleartext or anonymous hop only towards a host on it, never a bank's.
  const devOnly = TRUE.has(env.IBMB_DEV_ONLY_SAMPLES ?? '');
  const hops = [...cleartextHops(env), ...anonymousHops(env)];
  problems.push(...(devOnly ? hops.filter((p) => !towardsDevNetwork(env, p)) : hops));
  problems.push(...looseKnobs(env));
  // Public samples run only with the dev-only env file, the one place that sets the flag.
  if (!devOnly)
    for (const name of samplesIn(env))
      problems.push(
        name === 'CORE_BANKING_URL'
          ? 'CORE_BANKING_URL: the dev-only core-banking simulator is refused when NODE_ENV=production'
          : `${name}: the public dev-only sample (docker/dev-only/) is refused when NODE_ENV=production`,
      );
  return problems;
}

const isHttps = (url: string) => /^https:\/\//i.test(url);

/**
 * A host of the dev-only network: a Compose service name (one label, no dots) or loopback.
 * A dotted name or another address is somewhere a bank runs things.
 */
export function onDevNetwork(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return /^[a-z0-9-]+$/.test(h) || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const hostOf = (url: string | undefined): string | undefined => {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
};

/** Whether a hop problem (`NAME: …`) is about a hop to the dev-only network only. */
function towardsDevNetwork(env: Env, problem: string): boolean {
  const name = problem.split(':')[0];
  switch (name) {
    case 'LINKED_SYSTEMS':
      return linkedSystemUrls(env).every((u) => onDevNetwork(hostOf(u)));
    case 'SMTP_SECURE':
      return onDevNetwork(env.SMTP_HOST);
    case 'CORE_BANKING_OAUTH_TOKEN_URL':
      // Missing: whom the ESB would not know is the worker calling CORE_BANKING_URL.
      return onDevNetwork(hostOf(env.CORE_BANKING_OAUTH_TOKEN_URL ?? env.CORE_BANKING_URL));
    case 'TEMPORAL_TLS':
      return onDevNetwork((env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233').replace(/:\d+$/, ''));
    default:
      return onDevNetwork(hostOf(name ? env[name] : undefined));
  }
}
const TRUE_VALUES = TRUE;

/**
 * Hops that would carry secrets in clear: passwords to core banking, codes and the gateway
 * password in Kannel's query, codes and notices by SMTP, usernames to the channel, contact
 * changes to linked systems. The dev-only simulator is refused on its own (samplesIn).
 */
function cleartextHops(env: Env): string[] {
  const problems: string[] = [];
  const https = (name: string, url: string | undefined, why: string) => {
    if (url && !isHttps(url))
      problems.push(`${name}: must be an https URL when NODE_ENV=production (${why})`);
  };
  if (!(env.CORE_BANKING_URL && SIMULATOR_URLS.has(env.CORE_BANKING_URL)))
    https('CORE_BANKING_URL', env.CORE_BANKING_URL, 'passwords travel there');
  if (env.SMS_PROVIDER === 'kannel')
    https('KANNEL_SENDSMS_URL', env.KANNEL_SENDSMS_URL, 'the code and the gateway password are in its query');
  if (env.SMS_PROVIDER === 'twilio')
    https('TWILIO_API_BASE_URL', env.TWILIO_API_BASE_URL, 'codes travel there');
  https('CHANNEL_WEBHOOK_URL', env.CHANNEL_WEBHOOK_URL, 'usernames travel there');
  https('CORE_BANKING_OAUTH_TOKEN_URL', env.CORE_BANKING_OAUTH_TOKEN_URL, 'the client secret travels there');
  for (const system of linkedSystemUrls(env)) https(`LINKED_SYSTEMS`, system, 'contact changes travel there');
  const implicitTls =
    TRUE_VALUES.has(env.SMTP_SECURE ?? '') || (env.SMTP_SECURE === undefined && env.SMTP_PORT === '465');
  if (env.EMAIL_PROVIDER === 'smtp' && !implicitTls && !TRUE_VALUES.has(env.SMTP_REQUIRE_TLS ?? ''))
    problems.push(
      'SMTP_SECURE: SMTP without TLS is refused when NODE_ENV=production (set SMTP_SECURE=true, or SMTP_REQUIRE_TLS=true for STARTTLS)',
    );
  return problems;
}

/** The URLs of LINKED_SYSTEMS, if it parses (loadConfig reports it otherwise). */
function linkedSystemUrls(env: Env): string[] {
  try {
    const list = JSON.parse(env.LINKED_SYSTEMS ?? '[]') as { url?: unknown }[];
    return Array.isArray(list)
      ? list.map((s) => s?.url).filter((u): u is string => typeof u === 'string')
      : [];
  } catch {
    return [];
  }
}

/**
 * Hops where this service would be anonymous: the ESB must know it is the worker calling
 * (an OAuth client-credentials token), and the Temporal frontend must take only
 * authenticated clients (TLS with a client certificate, or an API key): anyone reaching
 * an open frontend could start UpdateContactInfo, which needs no MFA.
 */
function anonymousHops(env: Env): string[] {
  const problems: string[] = [];
  const simulator = env.CORE_BANKING_URL && SIMULATOR_URLS.has(env.CORE_BANKING_URL);
  if (!simulator && !env.CORE_BANKING_OAUTH_TOKEN_URL)
    problems.push(
      'CORE_BANKING_OAUTH_TOKEN_URL: required when NODE_ENV=production (no client authentication towards the ESB otherwise)',
    );
  let temporal: { tls?: unknown; apiKey?: unknown } = {};
  try {
    temporal = temporalConnectConfig(env).connectionOptions as typeof temporal;
  } catch (e) {
    problems.push(`TEMPORAL_ADDRESS: the Temporal connection settings do not load (${(e as Error).message})`);
    return problems;
  }
  if (!temporal.tls && !temporal.apiKey)
    problems.push(
      'TEMPORAL_TLS: a Temporal connection with neither TLS nor an API key is refused when NODE_ENV=production (set TEMPORAL_TLS and a client certificate, or TEMPORAL_API_KEY)',
    );
  return problems;
}

/**
 * Security knobs the standards bound (NIST SP 800-63B-4): at most 100 consecutive failures
 * before a lockout, a concealed answer's timing floor on, and a phone change's cooling-off
 * on (a new SIM must not take over at once). Code length and validity are bounded for every
 * environment by the schema (6–10 digits, at most 10 minutes).
 */
function looseKnobs(env: Env): string[] {
  const problems: string[] = [];
  const int = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
  const failures = int('MFA_USER_MAX_CONSECUTIVE_FAILURES');
  if (failures !== undefined && failures > 100)
    problems.push(
      'MFA_USER_MAX_CONSECUTIVE_FAILURES: at most 100 when NODE_ENV=production (NIST SP 800-63B-4)',
    );
  if (int('MFA_CONCEALED_MIN_ANSWER_MS') === 0)
    problems.push(
      'MFA_CONCEALED_MIN_ANSWER_MS: 0 is refused when NODE_ENV=production (a decoy would answer faster)',
    );
  const coolingOff = int('PHONE_CHANGE_COOLING_OFF_MINUTES');
  if (!coolingOff)
    problems.push(
      'PHONE_CHANGE_COOLING_OFF_MINUTES: required above 0 when NODE_ENV=production (a phone change must be cancellable before it takes effect)',
    );
  return problems;
}

/**
 * The configuration of a service process (api/main.ts, worker/main.ts): loadConfig's
 * checks plus, with NODE_ENV=production, productionProblems — all listed in one error.
 */
export function loadServiceConfig(env: Env = process.env): Config {
  const issues: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (withoutBlanks(env).NODE_ENV === 'production') issues.push(...productionProblems(env));
  if (issues.length || !config) throw new ConfigError(issues);
  return config;
}

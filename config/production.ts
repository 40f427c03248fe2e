import { ConfigError, loadConfig, type Config } from './index';
import { withoutBlanks, type Env } from './env';

const TRUE = new Set(['true', '1', 'yes']);

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
  need('AUTH_ISSUER', 'the dev issuer is not accepted');
  need('AUTH_AUDIENCE', 'the dev audience is not accepted');
  if (!env.PAYLOAD_KEYS && !env.PAYLOAD_KEYS_FILE)
    problems.push(
      'PAYLOAD_KEYS: PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required when NODE_ENV=production (no dev payload keys)',
    );
  need('SERVER_HMAC_KEY', 'the API and every worker must share it; no key generated under DATA_DIR');
  need('CHANNEL_WEBHOOK_URL', 'usernames would go to an outbox file instead of the channel');
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

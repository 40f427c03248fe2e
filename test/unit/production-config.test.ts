import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../config';
import { loadServiceConfig, productionProblems } from '../../config/production';

const devOnly = path.resolve(__dirname, '../../docker/dev-only');
/** The values docker/dev-only/production.env sets, read from the file (the public samples). */
const sampleEnv = Object.fromEntries(
  [
    ...fs.readFileSync(path.join(devOnly, 'production.env'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm),
  ].map((m) => [m[1] as string, m[2] as string]),
);
const samplePayloadKeys = fs.readFileSync(path.join(devOnly, 'payload-keys'), 'utf8').trim();

const key32 = Buffer.alloc(32, 1).toString('base64');

/** A production environment with every requirement met; each test breaks one thing. */
const good: Record<string, string> = {
  NODE_ENV: 'production',
  AUTH_JWKS_URL: 'https://idp.bank.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.bank.example',
  AUTH_AUDIENCE: 'ibmb-api',
  PAYLOAD_KEYS: `k1:${key32}`,
  SERVER_HMAC_KEY: key32,
  SMS_PROVIDER: 'kannel',
  KANNEL_SENDSMS_URL: 'https://kannel.bank.example/cgi-bin/sendsms',
  KANNEL_USERNAME: 'ibmb',
  KANNEL_PASSWORD: 'secret-pass',
  EMAIL_PROVIDER: 'smtp',
  SMTP_HOST: 'smtp.bank.example',
  SMTP_REQUIRE_TLS: 'true',
  CHANNEL_WEBHOOK_URL: 'https://channel.bank.example/hooks',
  CHANNEL_WEBHOOK_SECRET: 'whsec_abcdefgh',
  CORE_BANKING_URL: 'https://esb.bank.example',
  CORE_BANKING_OAUTH_TOKEN_URL: 'https://idp.bank.example/token',
  CORE_BANKING_OAUTH_CLIENT_ID: 'ibmb-worker',
  CORE_BANKING_OAUTH_CLIENT_SECRET: 'worker-secret',
  TEMPORAL_ADDRESS: 'temporal.bank.example:7233',
  TEMPORAL_API_KEY: 'temporal-api-key',
  PHONE_CHANGE_COOLING_OFF_MINUTES: '60',
};

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadServiceConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe('production configuration of the API and the worker', () => {
  it('starts with a complete production configuration', () => {
    expect(productionProblems(good)).toEqual([]);
    expect(loadServiceConfig(good).NODE_ENV).toBe('production');
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['the SMS outbox', { SMS_PROVIDER: 'outbox' }, /^SMS_PROVIDER: the outbox is refused/],
    ['the SMS outbox by default', { SMS_PROVIDER: undefined }, /^SMS_PROVIDER: the outbox is refused/],
    ['the email outbox', { EMAIL_PROVIDER: 'outbox' }, /^EMAIL_PROVIDER: the outbox is refused/],
    ['the email outbox by default', { EMAIL_PROVIDER: undefined }, /^EMAIL_PROVIDER: the outbox is refused/],
    ['dev keys', { AUTH_DEV_KEYS: 'true' }, /^AUTH_DEV_KEYS: dev keys are refused/],
    ['no JWKS URL', { AUTH_JWKS_URL: undefined }, /^AUTH_JWKS_URL: required/],
    [
      'an http JWKS URL',
      { AUTH_JWKS_URL: 'http://idp.bank.example/jwks' },
      /^AUTH_JWKS_URL: must be an https URL/,
    ],
    ['no issuer', { AUTH_ISSUER: undefined }, /^AUTH_ISSUER: required/],
    ['no audience', { AUTH_AUDIENCE: '' }, /^AUTH_AUDIENCE: required/],
    [
      'no payload keys',
      { PAYLOAD_KEYS: undefined },
      /^PAYLOAD_KEYS: PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required/,
    ],
    ['no server HMAC key', { SERVER_HMAC_KEY: undefined }, /^SERVER_HMAC_KEY: required/],
    ['no core-banking URL', { CORE_BANKING_URL: undefined }, /^CORE_BANKING_URL: required/],
    [
      'the core-banking simulator',
      { CORE_BANKING_URL: 'http://simulator:4010' },
      /^CORE_BANKING_URL: the dev-only core-banking simulator is refused/,
    ],
    [
      'the sample server HMAC key',
      { SERVER_HMAC_KEY: sampleEnv.SERVER_HMAC_KEY },
      /^SERVER_HMAC_KEY: the public dev-only sample/,
    ],
    [
      'the sample payload key, under any kid and among others',
      { PAYLOAD_KEYS: `k1:${key32},other:${samplePayloadKeys.split(':')[1]}` },
      /^PAYLOAD_KEYS: the public dev-only sample/,
    ],
    [
      'the sample payload-keys file',
      { PAYLOAD_KEYS: undefined, PAYLOAD_KEYS_FILE: path.join(devOnly, 'payload-keys') },
      /^PAYLOAD_KEYS_FILE: the public dev-only sample/,
    ],
    [
      'the sample webhook secret',
      { CHANNEL_WEBHOOK_SECRET: sampleEnv.CHANNEL_WEBHOOK_SECRET },
      /^CHANNEL_WEBHOOK_SECRET: the public dev-only sample/,
    ],
    [
      'the sample sendsms password',
      { KANNEL_PASSWORD: sampleEnv.KANNEL_PASSWORD },
      /^KANNEL_PASSWORD: the public dev-only sample/,
    ],
    [
      'the sample Keycloak admin client secret',
      { KEYCLOAK_ADMIN_CLIENT_SECRET: sampleEnv.KEYCLOAK_ADMIN_CLIENT_SECRET },
      /^KEYCLOAK_ADMIN_CLIENT_SECRET: the public dev-only sample/,
    ],
    [
      'an http Keycloak (admin token and passwords in clear)',
      { KEYCLOAK_URL: 'http://keycloak.bank.example' },
      /^KEYCLOAK_URL: must be an https URL/,
    ],
    [
      'the dev-only flag set to anything but true',
      { IBMB_DEV_ONLY_SAMPLES: 'false', SERVER_HMAC_KEY: sampleEnv.SERVER_HMAC_KEY },
      /^SERVER_HMAC_KEY: the public dev-only sample/,
    ],
    ['a 0-byte HMAC key', { SERVER_HMAC_KEY: '!'.repeat(44) }, /^SERVER_HMAC_KEY: must be standard base64/],
    [
      'an http core-banking URL',
      { CORE_BANKING_URL: 'http://esb.bank.example' },
      /^CORE_BANKING_URL: must be an https URL .*passwords/,
    ],
    [
      'an http Kannel URL',
      { KANNEL_SENDSMS_URL: 'http://kannel.bank.example/cgi-bin/sendsms' },
      /^KANNEL_SENDSMS_URL: must be an https URL/,
    ],
    [
      'an http channel webhook',
      { CHANNEL_WEBHOOK_URL: 'http://channel.bank.example/hooks' },
      /^CHANNEL_WEBHOOK_URL: must be an https URL/,
    ],
    [
      'an http linked system',
      {
        LINKED_SYSTEMS: JSON.stringify([
          { name: 'alerts', url: 'http://alerts.bank.example', secret: 'secret-123' },
        ]),
      },
      /^LINKED_SYSTEMS: must be an https URL/,
    ],
    ['SMTP without TLS', { SMTP_REQUIRE_TLS: undefined }, /^SMTP_SECURE: SMTP without TLS is refused/],
    [
      'SMTP with TLS turned off',
      { SMTP_REQUIRE_TLS: undefined, SMTP_SECURE: 'false', SMTP_PORT: '465' },
      /^SMTP_SECURE: SMTP without TLS/,
    ],
    [
      'no client authentication towards the ESB',
      {
        CORE_BANKING_OAUTH_TOKEN_URL: undefined,
        CORE_BANKING_OAUTH_CLIENT_ID: undefined,
        CORE_BANKING_OAUTH_CLIENT_SECRET: undefined,
      },
      /^CORE_BANKING_OAUTH_TOKEN_URL: required/,
    ],
    [
      'an http ESB token endpoint',
      { CORE_BANKING_OAUTH_TOKEN_URL: 'http://idp.bank.example/token' },
      /^CORE_BANKING_OAUTH_TOKEN_URL: must be an https URL/,
    ],
    [
      'a Temporal connection with neither TLS nor an API key',
      { TEMPORAL_API_KEY: undefined },
      /^TEMPORAL_TLS: a Temporal connection with neither TLS nor an API key is refused/,
    ],
    [
      'more than 100 consecutive failures',
      { MFA_USER_MAX_CONSECUTIVE_FAILURES: '101' },
      /^MFA_USER_MAX_CONSECUTIVE_FAILURES: at most 100/,
    ],
    [
      'no concealment floor',
      { MFA_CONCEALED_MIN_ANSWER_MS: '0' },
      /^MFA_CONCEALED_MIN_ANSWER_MS: 0 is refused/,
    ],
    [
      'no cooling-off',
      { PHONE_CHANGE_COOLING_OFF_MINUTES: undefined },
      /^PHONE_CHANGE_COOLING_OFF_MINUTES: required above 0/,
    ],
    [
      'a cooling-off of 0',
      { PHONE_CHANGE_COOLING_OFF_MINUTES: '0' },
      /^PHONE_CHANGE_COOLING_OFF_MINUTES: required above 0/,
    ],
    [
      'no channel webhook URL',
      { CHANNEL_WEBHOOK_URL: undefined, CHANNEL_WEBHOOK_SECRET: undefined },
      /^CHANNEL_WEBHOOK_URL: required/,
    ],
  ])('refuses %s', (_what, change, problem) => {
    const env = Object.fromEntries(
      Object.entries({ ...good, ...change }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const issues = issuesOf(env);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(problem);
  });

  it('does not let dev keys waive the payload keys', () => {
    const { PAYLOAD_KEYS: _k, ...rest } = good;
    const issues = issuesOf({ ...rest, AUTH_DEV_KEYS: 'true' });
    expect(issues.some((i) => i.startsWith('PAYLOAD_KEYS:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('AUTH_DEV_KEYS:'))).toBe(true);
  });

  it('takes Temporal TLS instead of an API key', () => {
    const { TEMPORAL_API_KEY: _k, ...rest } = good;
    expect(issuesOf({ ...rest, TEMPORAL_TLS: 'true' })).toEqual([]);
  });

  it('names every unsafe hop and knob at once', () => {
    const issues = issuesOf({
      ...good,
      CORE_BANKING_URL: 'http://esb.bank.example',
      KANNEL_SENDSMS_URL: 'http://kannel.bank.example/cgi-bin/sendsms',
      SMTP_REQUIRE_TLS: 'false',
      TEMPORAL_API_KEY: '',
      MFA_USER_MAX_CONSECUTIVE_FAILURES: '1000',
      PHONE_CHANGE_COOLING_OFF_MINUTES: '0',
    });
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(
      [
        'CORE_BANKING_URL',
        'KANNEL_SENDSMS_URL',
        'SMTP_SECURE',
        'TEMPORAL_TLS',
        'MFA_USER_MAX_CONSECUTIVE_FAILURES',
        'PHONE_CHANGE_COOLING_OFF_MINUTES',
      ].sort(),
    );
  });

  it('lists every problem at once, invalid values included', () => {
    const issues = issuesOf({ NODE_ENV: 'production', PORT: 'abc', AUTH_DEV_KEYS: 'true' });
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(
      [
        'PORT',
        'SMS_PROVIDER',
        'EMAIL_PROVIDER',
        'AUTH_DEV_KEYS',
        'AUTH_JWKS_URL',
        'AUTH_ISSUER',
        'AUTH_AUDIENCE',
        'PAYLOAD_KEYS',
        'SERVER_HMAC_KEY',
        'CHANNEL_WEBHOOK_URL',
        'CORE_BANKING_URL',
        'CORE_BANKING_OAUTH_TOKEN_URL',
        'TEMPORAL_TLS',
        'PHONE_CHANGE_COOLING_OFF_MINUTES',
      ].sort(),
    );
  });

  it('runs the public samples only with the dev-only flag of docker/dev-only/production.env', () => {
    expect(sampleEnv.IBMB_DEV_ONLY_SAMPLES).toBe('true');
    const samples = {
      SERVER_HMAC_KEY: sampleEnv.SERVER_HMAC_KEY as string,
      PAYLOAD_KEYS: samplePayloadKeys,
      CHANNEL_WEBHOOK_SECRET: sampleEnv.CHANNEL_WEBHOOK_SECRET as string,
      KANNEL_PASSWORD: sampleEnv.KANNEL_PASSWORD as string,
      KEYCLOAK_ADMIN_CLIENT_SECRET: sampleEnv.KEYCLOAK_ADMIN_CLIENT_SECRET as string,
      CORE_BANKING_URL: sampleEnv.CORE_BANKING_URL as string,
    };
    expect(
      issuesOf({ ...good, ...samples })
        .map((i) => i.split(':')[0])
        .sort(),
    ).toEqual(Object.keys(samples).sort());
    expect(issuesOf({ ...good, ...samples, IBMB_DEV_ONLY_SAMPLES: 'true' })).toEqual([]);
    // No sample fingerprint is the sample itself: the code carries no copy of a key.
    const code = fs.readFileSync(path.resolve(__dirname, '../../config/production.ts'), 'utf8');
    for (const v of [...Object.values(samples), samplePayloadKeys.split(':')[1] as string])
      if (v !== samples.CORE_BANKING_URL) expect(code).not.toContain(v);
  });

  it('waives cleartext and anonymous hops under the dev-only flag only towards the dev-only network', () => {
    const devOnly = { ...good, IBMB_DEV_ONLY_SAMPLES: 'true' };
    const bank = {
      CORE_BANKING_URL: 'http://esb.bank.example',
      KANNEL_SENDSMS_URL: 'http://sms.bank.example/cgi-bin/sendsms',
      SMS_PROVIDER: 'kannel',
      CHANNEL_WEBHOOK_URL: 'http://10.1.2.3/hooks',
      EMAIL_PROVIDER: 'smtp',
      SMTP_HOST: 'smtp.bank.example',
      SMTP_PORT: '25',
      SMTP_SECURE: 'false',
      SMTP_REQUIRE_TLS: 'false',
      TEMPORAL_ADDRESS: 'temporal.bank.example:7233',
      TEMPORAL_TLS: 'false',
      TEMPORAL_API_KEY: '',
      CORE_BANKING_OAUTH_TOKEN_URL: '',
    };
    expect(
      issuesOf({ ...devOnly, ...bank })
        .map((i) => i.split(':')[0])
        .sort(),
    ).toEqual(
      [
        'CORE_BANKING_URL',
        'KANNEL_SENDSMS_URL',
        'CHANNEL_WEBHOOK_URL',
        'SMTP_SECURE',
        'TEMPORAL_TLS',
        'CORE_BANKING_OAUTH_TOKEN_URL',
      ].sort(),
    );
    const stack = {
      ...bank,
      CORE_BANKING_URL: 'http://simulator:4010',
      KANNEL_SENDSMS_URL: 'http://dev-only-services:8090/cgi-bin/sendsms',
      CHANNEL_WEBHOOK_URL: 'http://127.0.0.1:8090/hooks',
      SMTP_HOST: 'dev-only-services',
      TEMPORAL_ADDRESS: 'temporal:7233',
    };
    expect(issuesOf({ ...devOnly, ...stack })).toEqual([]);
  });

  it('asks nothing more outside production', () => {
    expect(loadServiceConfig({ NODE_ENV: 'development' }).SMS_PROVIDER).toBe('outbox');
    expect(loadServiceConfig({ NODE_ENV: 'test', AUTH_DEV_KEYS: 'true' }).NODE_ENV).toBe('test');
  });
});

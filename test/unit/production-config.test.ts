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
  CHANNEL_WEBHOOK_URL: 'https://channel.bank.example/hooks',
  CHANNEL_WEBHOOK_SECRET: 'whsec_abcdefgh',
  CORE_BANKING_URL: 'https://esb.bank.example',
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

  it('asks nothing more outside production', () => {
    expect(loadServiceConfig({ NODE_ENV: 'development' }).SMS_PROVIDER).toBe('outbox');
    expect(loadServiceConfig({ NODE_ENV: 'test', AUTH_DEV_KEYS: 'true' }).NODE_ENV).toBe('test');
  });
});

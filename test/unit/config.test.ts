import { ConfigError, loadConfig } from '../../config';
import { temporalConnectConfig } from '../../config/temporal';

describe('config', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      DATA_DIR: '.data',
      TEMPORAL_TASK_QUEUE: 'ibmb-user-lifecycle',
      SMS_PROVIDER: 'outbox',
    });
    expect(c.outboxDir).toMatch(/\.data[/\\]outbox$/);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it('lists every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'abc', SMS_PROVIDER: 'pigeon' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', SMS_PROVIDER: 'pigeon' });
    } catch (e) {
      expect((e as ConfigError).issues.join()).toMatch(/PORT.*SMS_PROVIDER|SMS_PROVIDER.*PORT/);
    }
  });

  it('refuses a server HMAC key that is not strict base64 of at least 32 bytes, in every environment', () => {
    const good = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SERVER_HMAC_KEY: good }).SERVER_HMAC_KEY).toBe(good);
    // Node's lenient decoder turns 44 non-base64 characters into a 0-byte key.
    expect(Buffer.from('!'.repeat(44), 'base64')).toHaveLength(0);
    for (const bad of [
      '!'.repeat(44),
      Buffer.alloc(31).toString('base64'),
      `${good.slice(0, -1)}*`,
      `${good} `,
    ])
      for (const NODE_ENV of ['development', 'test', 'production'])
        expect(() => loadConfig({ NODE_ENV, SERVER_HMAC_KEY: bad })).toThrow(
          /SERVER_HMAC_KEY: must be standard base64/,
        );
  });

  it('takes a bare host name for the WebOTP line', () => {
    expect(loadConfig({}).MFA_WEBOTP_HOST).toBeUndefined();
    expect(loadConfig({ MFA_WEBOTP_HOST: 'ib.bank.example' }).MFA_WEBOTP_HOST).toBe('ib.bank.example');
    for (const bad of ['https://ib.bank.example', '@ib.bank.example', 'ib bank', 'ib.bank.example #1'])
      expect(() => loadConfig({ MFA_WEBOTP_HOST: bad })).toThrow(/MFA_WEBOTP_HOST/);
  });

  it('accepts only access-token typ values unless configured otherwise', () => {
    expect(loadConfig({}).AUTH_TOKEN_TYPES).toEqual(['at+jwt', 'JWT']);
    expect(loadConfig({ AUTH_TOKEN_TYPES: 'at+jwt' }).AUTH_TOKEN_TYPES).toEqual(['at+jwt']);
    expect(() => loadConfig({ AUTH_TOKEN_TYPES: ' , ' })).toThrow(/AUTH_TOKEN_TYPES/);
  });

  it('reads Temporal connection settings by envconfig conventions', () => {
    const t = temporalConnectConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
    });
    expect(t.namespace).toBe('ns.acct');
    expect(t.connectionOptions).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'k' });
    expect(t.connectionOptions.tls).toBeTruthy();
    expect(temporalConnectConfig({ TEMPORAL_CONFIG_FILE: '/nonexistent.toml' })).toMatchObject({
      connectionOptions: { address: '127.0.0.1:7233' },
      namespace: 'default',
    });
  });

  it('reads linked systems as JSON and refuses a URL without a signing secret', () => {
    expect(loadConfig({}).LINKED_SYSTEMS).toEqual([{ name: 'otp-delivery' }, { name: 'alerts' }]);
    const one = [{ name: 'alerts', url: 'https://alerts.bank.example/hooks', secret: 'whsec_abcdefgh' }];
    expect(loadConfig({ LINKED_SYSTEMS: JSON.stringify(one) }).LINKED_SYSTEMS).toEqual(one);
    expect(() => loadConfig({ LINKED_SYSTEMS: '[{"name":"alerts","url":"https://x.example"}]' })).toThrow(
      /secret/,
    );
    expect(() => loadConfig({ LINKED_SYSTEMS: 'not json' })).toThrow(/JSON array/);
  });
});

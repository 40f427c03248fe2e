import { parseArgs } from 'node:util';
import { mintDevToken } from '../lib/dev-keys';
import { loadConfig } from '../config';

/**
 * `npm run -s token -- --scope "ib-users:write mfa:write"`: prints a bearer token signed
 * with the dev key under DATA_DIR (its last line is the token, for scripts).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: {
        type: 'string',
        default: 'ib-users:write mfa:write mfa:any-user institution-users:write processes:read',
      },
      sub: { type: 'string', default: 'dev-channel' },
      ttl: { type: 'string', default: '1h' },
    },
  });
  const config = loadConfig();
  if (config.AUTH_JWKS_URL) throw new Error('AUTH_JWKS_URL is set: tokens come from your identity provider');
  const scopes = (values.scope ?? '').split(/\s+/).filter(Boolean);
  const token = await mintDevToken(config, { scopes, subject: values.sub, expiresIn: values.ttl });
  process.stderr.write(`dev token for ${values.sub}, scopes: ${scopes.join(' ')}, valid ${values.ttl}\n`);
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

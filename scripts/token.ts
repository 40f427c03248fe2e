import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mintDevToken } from '../api/auth';
import { loadConfig } from '../config';

/**
 * `npm run -s token -- --scope "ib-users:write mfa:write"`: prints a bearer token signed
 * with the dev key under DATA_DIR (its last line is the token, for scripts).
 *
 * `--out FILE` writes the token to FILE instead (docker-compose.yml's ui-codec-token job
 * hands the Temporal UI its codec capability that way). With AUTH_JWKS_URL set there are
 * no dev tokens: FILE is then left empty and the UI passes its user's own token.
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
      out: { type: 'string' },
    },
  });
  const config = loadConfig();
  if (config.AUTH_JWKS_URL) {
    if (values.out) return writeAtomically(values.out, '');
    throw new Error('AUTH_JWKS_URL is set: tokens come from your identity provider');
  }
  const scopes = (values.scope ?? '').split(/\s+/).filter(Boolean);
  const token = await mintDevToken(config, { scopes, subject: values.sub, expiresIn: values.ttl });
  process.stderr.write(`dev token for ${values.sub}, scopes: ${scopes.join(' ')}, valid ${values.ttl}\n`);
  if (values.out) writeAtomically(values.out, `${token}\n`);
  else process.stdout.write(`${token}\n`);
}

/** A reader never sees half a token: write beside the file, then rename over it. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

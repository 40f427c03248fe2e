import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { CODEC_CAPABILITY_TTL_MS, keepCodecCapability } from '../lib/codec-capability';

/**
 * `node dist/scripts/codec-capability.js --out FILE`: docker-compose.yml's
 * ui-codec-capability service. It does for the compose Temporal UI what `npm start`'s
 * launcher does for its own: issues the decode-only capability under DATA_DIR/keys (the
 * volume the API reads), writes the secret to FILE for the UI, keeps it valid while it runs
 * and revokes it when stopped. With AUTH_JWKS_URL there is no capability: FILE is left empty
 * and the UI passes its user's own token.
 */
function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('--out FILE is required');
  const config = loadConfig();
  const kept = config.AUTH_JWKS_URL
    ? undefined
    : keepCodecCapability(config.keysDir, CODEC_CAPABILITY_TTL_MS);
  writeAtomically(values.out, kept ? `${kept.secret}\n` : '');
  console.error(
    kept
      ? `codec capability kept valid, renewed every ${CODEC_CAPABILITY_TTL_MS / 3 / 60_000} min`
      : 'AUTH_JWKS_URL is set: no capability',
  );
  const alive = setInterval(() => undefined, 1 << 30);
  const stop = () => {
    clearInterval(alive);
    kept?.stop();
    fs.rmSync(values.out as string, { force: true });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A reader never sees half a secret: write beside the file, then rename over it. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

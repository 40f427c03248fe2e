import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

export const DEV_JWT_ALG = 'ES256';

export interface DevSigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

/**
 * The local development signing key: generated once under DATA_DIR/keys and reused,
 * so tokens minted by `npm run token` stay valid across restarts. Never used when a
 * JWKS URL is configured.
 */
export async function loadOrCreateDevKey(keysDir: string): Promise<DevSigningKey> {
  const file = path.join(keysDir, 'jwt-dev-es256.json');
  if (!fs.existsSync(file)) {
    const { privateKey, publicKey } = await generateKeyPair(DEV_JWT_ALG, { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    const stored = { kid, private: await exportJWK(privateKey), public: await exportJWK(publicKey) };
    fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    // wx: two processes racing on first start must not overwrite each other's key.
    try {
      fs.writeFileSync(file, JSON.stringify(stored), { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { kid: string; private: JWK; public: JWK };
  return {
    kid: stored.kid,
    privateKey: await importJWK(stored.private, DEV_JWT_ALG),
    publicJwk: { ...stored.public, kid: stored.kid, alg: DEV_JWT_ALG, use: 'sig' },
  };
}

/** Mints a token with the dev key (for `npm run token`, tests and benchmarks). */
export async function mintDevToken(
  config: { keysDir: string; AUTH_ISSUER: string; AUTH_AUDIENCE: string },
  opts: { scopes: string[]; subject?: string; expiresIn?: string },
): Promise<string> {
  const key = await loadOrCreateDevKey(config.keysDir);
  return new SignJWT({ scope: opts.scopes.join(' ') })
    .setProtectedHeader({ alg: DEV_JWT_ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(opts.subject ?? 'dev-channel')
    .setIssuer(config.AUTH_ISSUER)
    .setAudience(config.AUTH_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(key.privateKey);
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { toolsDir } from '../../lib/tools';

/**
 * A Keycloak of its own for `npm start -- --keycloak` and the Keycloak suites: the
 * provisioned distribution (scripts/provision.sh keycloak) on loopback, H2 in memory,
 * the realm of docker/keycloak/ibmb-realm.json imported at start with this instance's
 * client secrets. No master-realm admin is created: the realm's clients are all it needs.
 */
export const REALM = 'ibmb';
export const REALM_FILE = 'docker/keycloak/ibmb-realm.json';
export const AUDIENCE = 'ibmb-api';
/** The claim the realm's `ib-user` scope puts the IB user id in. */
export const USER_ID_CLAIM = 'ib_user_id';
export const CLIENTS = {
  channel: 'ibmb-channel-backend',
  ops: 'ibmb-ops',
  mobileApp: 'ibmb-mobile-app',
  admin: 'ibmb-identity-admin',
  /** A business's self-service users (MBanq): password grant, only self-service users' tokens reach the API. */
  selfService: 'ibmb-self-service',
} as const;
export const APP_REDIRECT_URI = 'ibmb-app:/oauth2redirect';

export interface KeycloakSecrets {
  channel: string;
  ops: string;
  admin: string;
}

export interface KeycloakInstance {
  url: string;
  issuer: string;
  jwksUrl: string;
  tokenUrl: string;
  healthUrl: string;
  secrets: KeycloakSecrets;
  command: string;
  args: string[];
  env: Record<string, string>;
  instanceDir: string;
}

export const keycloakCommand = (repoRoot: string) => path.join(toolsDir(repoRoot), 'bin', 'keycloak');

const secret = () => randomBytes(24).toString('base64url');

/** This instance's secrets: kept in `dir` (0600) so a restart keeps what callers were given. */
export function keycloakSecrets(dir: string): KeycloakSecrets {
  const file = path.join(dir, 'client-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as KeycloakSecrets;
  const made = { channel: secret(), ops: secret(), admin: secret() };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}

/** What to run for a Keycloak on 127.0.0.1:`port` (health on `managementPort`), its home in `instanceDir`. */
export function keycloakInstance(
  repoRoot: string,
  o: { port: number; managementPort: number; instanceDir: string },
): KeycloakInstance {
  const command = keycloakCommand(repoRoot);
  if (!fs.existsSync(command))
    throw new Error(`${command} is missing: run \`bash scripts/provision.sh keycloak\` (npm test does)`);
  const secrets = keycloakSecrets(o.instanceDir);
  const importDir = path.join(o.instanceDir, 'data', 'import');
  fs.mkdirSync(importDir, { recursive: true });
  fs.copyFileSync(path.join(repoRoot, REALM_FILE), path.join(importDir, path.basename(REALM_FILE)));
  const url = `http://127.0.0.1:${o.port}`;
  const issuer = `${url}/realms/${REALM}`;
  return {
    url,
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    tokenUrl: `${issuer}/protocol/openid-connect/token`,
    healthUrl: `http://127.0.0.1:${o.managementPort}/health/ready`,
    secrets,
    command,
    // `start --optimized`: provisioning built the distribution for these options, so no
    // re-build at each start; HTTP on loopback only, like the rest of `npm start`.
    args: [
      'start',
      '--optimized',
      '--http-enabled=true',
      '--http-host=127.0.0.1',
      `--http-port=${o.port}`,
      `--http-management-port=${o.managementPort}`,
      '--hostname-strict=false',
      '--cache=local',
      '--import-realm',
      '--log-level=warn,org.keycloak.exportimport:info',
    ],
    env: {
      KEYCLOAK_INSTANCE_DIR: o.instanceDir,
      // The realm file's placeholders (docker/keycloak/ibmb-realm.json).
      IBMB_KC_CHANNEL_SECRET: secrets.channel,
      IBMB_KC_OPS_SECRET: secrets.ops,
      IBMB_KC_ADMIN_SECRET: secrets.admin,
      // A shared 2-core machine: a small heap, few GC threads.
      JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m -XX:ParallelGCThreads=1 -XX:CICompilerCount=2',
    },
    instanceDir: o.instanceDir,
  };
}

/** The API's and worker's settings for this instance (IDENTITY_PROVIDER=keycloak). */
export function keycloakServiceEnv(k: KeycloakInstance): Record<string, string> {
  return {
    AUTH_JWKS_URL: k.jwksUrl,
    AUTH_ISSUER: k.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_USER_ID_CLAIM: USER_ID_CLAIM,
    IDENTITY_PROVIDER: 'keycloak',
    KEYCLOAK_URL: k.url,
    KEYCLOAK_REALM: REALM,
    KEYCLOAK_ADMIN_CLIENT_ID: CLIENTS.admin,
    KEYCLOAK_ADMIN_CLIENT_SECRET: k.secrets.admin,
  };
}

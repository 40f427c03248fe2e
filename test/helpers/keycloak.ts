import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  APP_REDIRECT_URI,
  CLIENTS,
  keycloakCommand,
  keycloakInstance,
  REALM,
  type KeycloakInstance,
} from '../../scripts/launcher/keycloak';
import { repoRoot } from '../setup/tools';

/**
 * A real Keycloak for one suite: the provisioned distribution, the repository's realm,
 * free loopback ports, its own home under the OS temp dir. Starting it costs a JVM and a
 * realm import (a minute or more on a loaded 2-core machine): once per suite, always stopped.
 */
export interface TestKeycloak extends KeycloakInstance, Running {
  /** A channel backend's, ops' or the worker's admin client's token by the client-credentials grant. */
  clientToken(client: 'channel' | 'ops' | 'admin'): Promise<string>;
  /** The login of this IB user as Keycloak's Admin API shows it (as the worker's admin client). */
  login(
    userId: string,
  ): Promise<{ id: string; enabled: boolean; attributes: Record<string, string[]>; sessions: number }>;
}

const READY_TIMEOUT_MS = 420_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A running Keycloak process (kc.sh and its JVM, in their own process group). */
interface Running {
  logTail(): string;
  stop(): Promise<void>;
}

/** Runs the provisioned Keycloak with `args` in `instanceDir` until `ready` answers, or fails with its log. */
async function runKeycloak(
  args: string[],
  env: Record<string, string>,
  instanceDir: string,
  ready: () => Promise<boolean>,
): Promise<Running> {
  const logFile = path.join(instanceDir, 'keycloak.log');
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(keycloakCommand(repoRoot), args, {
    env: { ...process.env, ...env, KEYCLOAK_INSTANCE_DIR: instanceDir },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const logTail = () =>
    fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  async function stop(): Promise<void> {
    if (proc.exitCode === null && proc.signalCode === null) {
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(instanceDir, { recursive: true, force: true });
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ended: number | null | undefined;
  void exited.then((code) => (ended = code));
  for (;;) {
    if (ended !== undefined) {
      const tail = logTail();
      await stop();
      throw new Error(`Keycloak exited (${ended}) before it was ready:\n${tail}`);
    }
    if (await ready().catch(() => false)) return { logTail, stop };
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`Keycloak not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export async function startKeycloak(): Promise<TestKeycloak> {
  const instanceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-keycloak-'));
  const k = keycloakInstance(repoRoot, {
    port: await freePort(),
    managementPort: await freePort(),
    instanceDir,
  });
  const running = await runKeycloak(k.args, k.env, instanceDir, async () => {
    const discovery = await fetch(`${k.issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5_000),
    });
    return discovery.ok && (await fetch(k.healthUrl, { signal: AbortSignal.timeout(5_000) })).ok;
  });
  async function clientToken(client: 'channel' | 'ops' | 'admin'): Promise<string> {
    const res = await fetch(k.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENTS[client],
        client_secret: k.secrets[client],
      }),
    });
    if (!res.ok) throw new Error(`client credentials for ${client}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  return {
    ...k,
    ...running,
    clientToken,
    async login(userId) {
      const headers = { authorization: `Bearer ${await clientToken('admin')}` };
      const admin = `${k.url}/admin/realms/${REALM}`;
      const q = new URLSearchParams({ q: `ibUserId:${userId}`, exact: 'true', briefRepresentation: 'false' });
      const users = (await (await fetch(`${admin}/users?${q}`, { headers })).json()) as {
        id: string;
        enabled: boolean;
        attributes: Record<string, string[]>;
      }[];
      if (users.length !== 1) throw new Error(`${users.length} logins for ${userId}`);
      const user = users[0]!;
      const sessions = (await (
        await fetch(`${admin}/users/${user.id}/sessions`, { headers })
      ).json()) as unknown[];
      return { ...user, sessions: sessions.length };
    },
  };
}

/** Compose's normalized project, as far as the keycloak service goes. */
interface ComposeProject {
  services: Record<
    string,
    {
      command?: string[] | null;
      environment?: Record<string, string | null>;
      volumes?: { source: string; target: string }[];
    }
  >;
  secrets: Record<string, { file: string }>;
}

export interface KeycloakAsComposed extends Running {
  /** The https port standing in for the service's 8443. */
  port: number;
}

/**
 * docker-compose.yml's keycloak service on this machine: its command (the image's `kc.sh`
 * there, the provisioned one here), its environment, its realm mount and certificate
 * secrets, with only the ports moved to free loopback ones. `--optimized`: the provisioned
 * build must already be the one the service's build options ask for.
 */
export async function startKeycloakAsComposed(project: ComposeProject): Promise<KeycloakAsComposed> {
  const svc = project.services.keycloak;
  if (!svc?.command) throw new Error('docker-compose.yml has no keycloak command');
  const instanceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-keycloak-compose-'));
  for (const v of svc.volumes ?? []) {
    const m = /^\/opt\/keycloak\/(data\/import\/.+)$/.exec(v.target);
    if (m) {
      fs.mkdirSync(path.dirname(path.join(instanceDir, m[1]!)), { recursive: true });
      fs.copyFileSync(v.source, path.join(instanceDir, m[1]!));
    }
  }
  const port = await freePort();
  const managementPort = await freePort();
  const args = svc.command.map((a) =>
    a
      .replace(/^--https-port=8443$/, `--https-port=${port}`)
      .replace(/=\/run\/secrets\/(\w+)$/, (_m, name: string) => `=${project.secrets[name]?.file}`),
  );
  args.splice(1, 0, '--optimized');
  args.push('--http-host=127.0.0.1', `--http-management-port=${managementPort}`);
  const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v ?? '']));
  const running = await runKeycloak(args, env, instanceDir, async () => {
    const res = await fetch(`http://127.0.0.1:${managementPort}/health/ready`, {
      signal: AbortSignal.timeout(5_000),
    });
    return res.ok;
  });
  return { ...running, port };
}

/** A client-credentials token over https, trusting `ca` (the dev-only certificate). */
export function clientCredentials(
  k: { port: number },
  clientId: string,
  secret: string,
  ca: Buffer,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `https://localhost:${k.port}/realms/${REALM}/protocol/openid-connect/token`,
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (r) => {
        let body = '';
        r.on('data', (d) => (body += String(d)));
        r.on('end', () => {
          if (r.statusCode !== 200) return reject(new Error(`token: HTTP ${r.statusCode} ${body}`));
          resolve((JSON.parse(body) as { access_token: string }).access_token);
        });
      },
    );
    req.on('error', reject);
    req.end(
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      }).toString(),
    );
  });
}

/** What the mobile app's login through Keycloak's own pages ended in. */
export type AppLogin =
  | { outcome: 'TOKEN'; accessToken: string; claims: Record<string, unknown> }
  | { outcome: 'MUST_CHANGE_PASSWORD' }
  | { outcome: 'REFUSED'; message: string };

const decodeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/**
 * The mobile app's login as a browser does it: authorization code with PKCE on Keycloak's
 * login form, the UPDATE_PASSWORD form when the password is a first-time one (answered with
 * `newPassword`, else left there), then the code exchanged for tokens.
 */
export async function appLogin(
  k: KeycloakInstance,
  username: string,
  password: string,
  newPassword?: string,
  /** The public client logged in to (the self-service client's users change passwords here too). */
  clientId: string = CLIENTS.mobileApp,
): Promise<AppLogin> {
  const cookies = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  const go = async (url: string, form?: Record<string, string>) => {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookie() },
      ...(form && { body: new URLSearchParams(form) }),
    });
    remember(res);
    return res;
  };
  const formAction = (html: string, id: string) => {
    const m = new RegExp(`<form[^>]*id="${id}"[^>]*action="([^"]+)"`).exec(html);
    return m ? decodeHtml(m[1]!) : undefined;
  };

  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${k.issuer}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: APP_REDIRECT_URI,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let res = await go(auth.toString());
  let html = await res.text();
  const login = formAction(html, 'kc-form-login');
  if (!login) throw new Error(`no login form (HTTP ${res.status})`);
  res = await go(login, { username, password, credentialId: '' });
  // Follow Keycloak's own redirects until the app's redirect URI or a page.
  while (res.status === 302 || res.status === 303) {
    const location = res.headers.get('location')!;
    if (location.startsWith(APP_REDIRECT_URI)) break;
    res = await go(new URL(location, k.url).toString());
  }
  if (res.status === 200) {
    html = await res.text();
    const update = formAction(html, 'kc-passwd-update-form');
    if (!update) {
      const message = /kc-feedback-text[^>]*>([^<]*)|input-error[^>]*>\s*([^<]*)/.exec(html);
      return { outcome: 'REFUSED', message: decodeHtml((message?.[1] ?? message?.[2] ?? '').trim()) };
    }
    if (!newPassword) return { outcome: 'MUST_CHANGE_PASSWORD' };
    res = await go(update, { 'password-new': newPassword, 'password-confirm': newPassword });
    if (res.status !== 302) return { outcome: 'REFUSED', message: `password change: HTTP ${res.status}` };
  }
  const location = res.headers.get('location') ?? '';
  const code = new URL(location).searchParams.get('code');
  if (!code) return { outcome: 'REFUSED', message: `no code: ${res.status} ${location}` };
  const token = await fetch(`${k.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: APP_REDIRECT_URI,
      code_verifier: verifier,
    }),
  });
  if (!token.ok) return { outcome: 'REFUSED', message: `code exchange: HTTP ${token.status}` };
  const accessToken = ((await token.json()) as { access_token: string }).access_token;
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return { outcome: 'TOKEN', accessToken, claims };
}

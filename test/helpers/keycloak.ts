import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  APP_REDIRECT_URI,
  CLIENTS,
  keycloakInstance,
  type KeycloakInstance,
} from '../../scripts/launcher/keycloak';
import { repoRoot } from '../setup/tools';

/**
 * A real Keycloak for one suite: the provisioned distribution, the repository's realm,
 * free loopback ports, its own home under the OS temp dir. Starting it costs a JVM and a
 * realm import (a minute or more on a loaded 2-core machine): once per suite, always stopped.
 */
export interface TestKeycloak extends KeycloakInstance {
  /** A channel backend's (or ops') access token by the client-credentials grant. */
  clientToken(client: 'channel' | 'ops'): Promise<string>;
  /** The last lines Keycloak logged (for a failure message). */
  logTail(): string;
  stop(): Promise<void>;
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

export async function startKeycloak(): Promise<TestKeycloak> {
  const instanceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-keycloak-'));
  const k = keycloakInstance(repoRoot, {
    port: await freePort(),
    managementPort: await freePort(),
    instanceDir,
  });
  const logFile = path.join(instanceDir, 'keycloak.log');
  const out = fs.openSync(logFile, 'a');
  // Its own process group: stop() reaches kc.sh and the JVM it runs.
  const proc = spawn(k.command, k.args, {
    env: { ...process.env, ...k.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const logTail = () =>
    fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';

  async function stop(): Promise<void> {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 15_000);
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
    const ready = await fetch(`${k.issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5_000),
    })
      .then(async (r) => r.ok && (await fetch(k.healthUrl)).ok)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`Keycloak not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }

  return {
    ...k,
    logTail,
    stop,
    async clientToken(client) {
      const res = await fetch(k.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: CLIENTS[client],
          client_secret: k.secrets[client],
        }),
      });
      if (!res.ok)
        throw new Error(`client credentials for ${client}: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
  };
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

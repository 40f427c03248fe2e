import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * DEV ONLY: `node dist/scripts/dev-only-services.js` is docker-compose.yml's
 * dev-only-services: what a bank's own systems are in production, stood in for on one
 * machine so the api and worker run with NODE_ENV=production.
 *
 * - an identity provider over https (`--tls-cert`/`--tls-key`, a committed dev-only pair):
 *   its JWKS at /.well-known/jwks.json, and POST /token `{scopes, subject?}` mints an access
 *   token (`typ` at+jwt, `exp`) for anyone who asks — which is why it is dev only. Its
 *   signing key is made at start and never written down.
 * - an SMS gateway speaking Kannel's sendsms (`SMS_PROVIDER=kannel`), an SMTP server
 *   (`EMAIL_PROVIDER=smtp`) and a channel webhook receiver: each accepts and appends what it
 *   got to `--out`/messages.jsonl; GET /messages on the HTTP port lists them (the codes a
 *   tester types).
 */
export interface DevOnlyServices {
  idpUrl: string;
  httpUrl: string;
  smtpPort: number;
  stop(): Promise<void>;
}

export interface DevOnlyOptions {
  tlsCert: string;
  tlsKey: string;
  out: string;
  /** The issuer the api expects (AUTH_ISSUER) and the audience (AUTH_AUDIENCE). */
  issuer: string;
  audience: string;
  kannelUser: string;
  kannelPassword: string;
  host?: string;
  idpPort?: number;
  httpPort?: number;
  smtpPort?: number;
}

interface Received {
  kind: 'sms' | 'email' | 'webhook';
  at: string;
  to: string;
  text: string;
}

export async function startDevOnlyServices(opts: DevOnlyOptions): Promise<DevOnlyServices> {
  const host = opts.host ?? '0.0.0.0';
  fs.mkdirSync(opts.out, { recursive: true });
  const log = path.join(opts.out, 'messages.jsonl');
  const record = (r: Omit<Received, 'at'>) =>
    fs.appendFileSync(log, `${JSON.stringify({ ...r, at: new Date().toISOString() })}\n`);

  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = `dev-only-${Date.now().toString(36)}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };

  const idp = https.createServer(
    { cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) },
    (req, res) => {
      readBody(req).then(
        async (body) => {
          const url = new URL(req.url ?? '/', 'https://x');
          if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
            return json(res, 200, { keys: [jwk] });
          }
          if (req.method === 'POST' && url.pathname === '/token') {
            const ask = parse(body) as { scopes?: unknown; subject?: unknown };
            const scopes = typeof ask.scopes === 'string' ? ask.scopes : '';
            const token = await new SignJWT({ scope: scopes })
              .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
              .setSubject(typeof ask.subject === 'string' ? ask.subject : 'dev-channel')
              .setIssuer(opts.issuer)
              .setAudience(opts.audience)
              .setIssuedAt()
              .setExpirationTime('1h')
              .sign(privateKey);
            return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
          }
          json(res, 404, { error: 'not_found' });
        },
        () => res.writeHead(400).end(),
      );
    },
  );

  const sinks = http.createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const q = url.searchParams;
        if (url.pathname === '/cgi-bin/sendsms') {
          if (q.get('username') !== opts.kannelUser || q.get('password') !== opts.kannelPassword) {
            return void res.writeHead(403).end('Authorization failed for sendsms');
          }
          record({ kind: 'sms', to: String(q.get('to')), text: String(q.get('text')) });
          return void res.writeHead(202).end('0: Accepted for delivery');
        }
        if (req.method === 'POST' && url.pathname.startsWith('/webhooks')) {
          record({ kind: 'webhook', to: url.pathname, text: body });
          return void res.writeHead(204).end();
        }
        if (req.method === 'GET' && url.pathname === '/messages') {
          const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
          return json(
            res,
            200,
            lines.map((l) => JSON.parse(l) as Received),
          );
        }
        if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
        json(res, 404, { error: 'not_found' });
      },
      () => res.writeHead(400).end(),
    );
  });

  const smtp = net.createServer((socket) =>
    smtpSession(socket, (to, text) => record({ kind: 'email', to, text })),
  );

  const listen = (server: net.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  const idpPort = await listen(idp, opts.idpPort ?? 8443);
  const httpPort = await listen(sinks, opts.httpPort ?? 8090);
  const smtpPort = await listen(smtp, opts.smtpPort ?? 2525);
  const close = (s: net.Server) => new Promise((r) => s.close(r));
  return {
    idpUrl: `https://localhost:${idpPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    smtpPort,
    stop: async () => {
      await Promise.all([close(idp), close(sinks), close(smtp)]);
    },
  };
}

/** Just enough SMTP for one client to hand over messages: no TLS, no AUTH (dev only). */
function smtpSession(socket: net.Socket, got: (to: string, text: string) => void): void {
  let buffer = '';
  let data: string[] | null = null;
  let to: string[] = [];
  const say = (line: string) => socket.write(`${line}\r\n`);
  socket.on('error', () => undefined);
  say('220 dev-only-services ESMTP (dev only)');
  socket.on('data', (chunk) => {
    buffer += String(chunk);
    let at: number;
    while ((at = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (data) {
        if (line === '.') {
          got(to.join(','), data.join('\n'));
          data = null;
          to = [];
          say('250 OK: queued');
        } else data.push(line.startsWith('..') ? line.slice(1) : line);
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') say('250-dev-only-services\r\n250-8BITMIME\r\n250 SMTPUTF8');
      else if (verb === 'HELO') say('250 dev-only-services');
      else if (verb === 'RCPT') {
        to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
        say('250 OK');
      } else if (verb === 'DATA') {
        data = [];
        say('354 End data with <CR><LF>.<CR><LF>');
      } else if (verb === 'QUIT') {
        say('221 Bye');
        socket.end();
      } else if (verb === 'MAIL' || verb === 'RSET' || verb === 'NOOP') say('250 OK');
      else say('502 Command not implemented');
    }
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body || '{}');
  } catch {
    return {};
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      out: { type: 'string', default: '/data' },
    },
  });
  const need = (v: string | undefined, name: string) => {
    if (!v) throw new Error(`--${name} is required`);
    return v;
  };
  const env = process.env;
  startDevOnlyServices({
    tlsCert: need(values['tls-cert'], 'tls-cert'),
    tlsKey: need(values['tls-key'], 'tls-key'),
    out: values.out as string,
    issuer: need(env.AUTH_ISSUER, 'AUTH_ISSUER (env)'),
    audience: need(env.AUTH_AUDIENCE, 'AUTH_AUDIENCE (env)'),
    kannelUser: need(env.KANNEL_USERNAME, 'KANNEL_USERNAME (env)'),
    kannelPassword: need(env.KANNEL_PASSWORD, 'KANNEL_PASSWORD (env)'),
  }).then(
    (s) => {
      console.error(`DEV ONLY: IdP ${s.idpUrl}, sinks ${s.httpUrl}, SMTP :${s.smtpPort}`);
      const stop = () => void s.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { createEmailSender } from '../../adapters/email';
import { createSmsSender } from '../../adapters/sms';
import { ConfigError } from '../../config';
import { loadServiceConfig } from '../../config/production';
import { startDevOnlyServices, type DevOnlyServices } from '../../scripts/dev-only-services';
import { clientCredentials, startKeycloakAsComposed, type KeycloakAsComposed } from '../helpers/keycloak';
import { repoRoot } from '../setup/tools';

/**
 * docker-compose.yml through compose-go, the loader `docker compose` uses (built from
 * scripts/compose-check with Go, which provisioning needs anyway): Compose itself must
 * accept the file, and read it as docker-compose.test.ts's YAML checks do.
 */
interface NormalizedService {
  command?: string[] | null;
  environment?: Record<string, string | null>;
  secrets?: { source: string; target?: string }[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  restart?: string;
}

describe('docker-compose.yml as Compose loads it', () => {
  let dir: string;
  let checker: string;
  /** `vars`: what the shell would set (NAME=VALUE), the only variables interpolated. */
  const load = (file: string, vars: string[] = []) =>
    spawnSync(checker, [file, ...vars], { encoding: 'utf8' });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-compose-check-'));
    checker = path.join(dir, 'compose-check');
    try {
      execFileSync('go', ['build', '-o', checker, '.'], {
        cwd: path.join(repoRoot, 'scripts/compose-check'),
        stdio: 'pipe',
      });
    } catch (e) {
      throw new Error(`go build scripts/compose-check failed:\n${(e as { stderr?: Buffer }).stderr ?? e}`);
    }
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const composeFile = path.join(repoRoot, 'docker-compose.yml');
  const yamlServices = (
    parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as {
      services: Record<string, { depends_on?: Record<string, { condition: string }>; restart?: string }>;
    }
  ).services;

  it('is a valid Compose project, read the way the YAML checks read it', () => {
    const res = load(composeFile);
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    const services = (JSON.parse(res.stdout) as { services: Record<string, NormalizedService> }).services;
    expect(Object.keys(services).sort()).toEqual(Object.keys(yamlServices).sort());
    for (const [name, s] of Object.entries(services)) {
      const conditions = Object.fromEntries(
        Object.entries(s.depends_on ?? {}).map(([d, v]) => [d, v.condition]),
      );
      const yaml = Object.fromEntries(
        Object.entries(yamlServices[name]?.depends_on ?? {}).map(([d, v]) => [d, v.condition]),
      );
      expect({ name, conditions }).toEqual({ name, conditions: yaml });
      // merge keys (<<: *healthcheck-timing, <<: *app) resolved as Compose resolves them
      if (!/^on-failure/.test(s.restart ?? '')) {
        expect({ name, test: s.healthcheck?.test?.length }).toEqual({ name, test: expect.any(Number) });
      }
    }
    // the capability keeper writes the file the UI's entrypoint reads
    expect(services['ui-codec-capability']?.command).toEqual(
      expect.arrayContaining(['--out', '/ui-codec/token']),
    );
  });

  describe('the api and worker as Compose resolves them, through the real config loader', () => {
    let project: {
      services: Record<string, NormalizedService>;
      secrets: Record<string, { file: string }>;
    };
    beforeAll(() => {
      const res = load(composeFile);
      expect(res.status).toBe(0);
      project = JSON.parse(res.stdout) as typeof project;
    });

    /**
     * A service's environment (env_file merged in, `${VAR:-default}` resolved) with its
     * secrets' mount paths pointed at the files Compose would mount, and DATA_DIR at a
     * scratch directory: what loadServiceConfig sees at the start of the container.
     */
    function startEnv(name: string, from: typeof project = project): Record<string, string> {
      const svc = from.services[name];
      const env = Object.fromEntries(
        Object.entries(svc?.environment ?? {}).map(([k, v]) => [k, v ?? '']),
      ) as Record<string, string>;
      for (const s of svc?.secrets ?? []) {
        const target = s.target ?? `/run/secrets/${s.source}`;
        const file = from.secrets[s.source]?.file as string;
        for (const [k, v] of Object.entries(env)) if (v === target) env[k] = file;
      }
      env.DATA_DIR = path.join(dir, `data-${name}`);
      return env;
    }
    const refusals = (env: Record<string, string>): string[] => {
      try {
        loadServiceConfig(env);
        return [];
      } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
      }
    };

    /** What production needs; each is refused when missing (config/production.ts). */
    const PRODUCTION_NEEDS = [
      'AUTH_JWKS_URL',
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'SERVER_HMAC_KEY',
      'PAYLOAD_KEYS_FILE',
      'SMS_PROVIDER',
      'EMAIL_PROVIDER',
      'CHANNEL_WEBHOOK_URL',
      'CORE_BANKING_URL',
    ];
    /** Each public sample of docker/dev-only/, refused without the dev-only flag. */
    const SAMPLES = [
      'SERVER_HMAC_KEY',
      'PAYLOAD_KEYS_FILE',
      'KANNEL_PASSWORD',
      'CHANNEL_WEBHOOK_SECRET',
      'KEYCLOAK_ADMIN_CLIENT_SECRET',
      'CORE_BANKING_URL',
    ];
    const devOnlyEnvFile = () =>
      fs.readFileSync(path.join(repoRoot, 'docker/dev-only/production.env'), 'utf8');
    /** The dev-only env file with some lines replaced (null: dropped), as a deployer would edit it. */
    function deployerEnvFile(changes: Record<string, string | null>): string {
      const text = devOnlyEnvFile().replace(/^([A-Z][A-Z0-9_]+)=.*$/gm, (line, k: string) => {
        if (!(k in changes)) return line;
        return changes[k] === null ? '' : `${k}=${changes[k]}`;
      });
      const file = path.join(dir, `deployer-${Math.random().toString(36).slice(2)}.env`);
      fs.writeFileSync(file, text);
      return file;
    }
    const projectWith = (vars: string[]): typeof project => {
      const res = load(composeFile, vars);
      expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
      return JSON.parse(res.stdout) as typeof project;
    };
    const ownKeys = () => {
      const file = path.join(dir, 'own-payload-keys');
      fs.writeFileSync(file, `prod-1:${Buffer.alloc(32, 7).toString('base64')}\n`);
      return file;
    };
    /** A deployer's own values for every sample the dev-only file carries; no dev-only flag. */
    const OWN_VALUES = {
      IBMB_DEV_ONLY_SAMPLES: null,
      SERVER_HMAC_KEY: Buffer.alloc(32, 9).toString('base64'),
      KANNEL_PASSWORD: 'the-bank-sendsms-password',
      CHANNEL_WEBHOOK_SECRET: 'whsec_the-bank-channel-secret',
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'the-bank-keycloak-admin-secret',
      CORE_BANKING_URL: 'https://esb.bank.example',
    };

    it.each(['api', 'worker'])('%s starts with NODE_ENV=production and no refusal', (name) => {
      const env = startEnv(name);
      expect(env.NODE_ENV).toBe('production');
      expect(env.AUTH_DEV_KEYS).toBeUndefined();
      // The dev-only env file, and only it, lets the public samples run.
      expect(env.IBMB_DEV_ONLY_SAMPLES).toBe('true');
      expect(refusals(env)).toEqual([]);
      const config = loadServiceConfig(env);
      expect(config).toMatchObject({ SMS_PROVIDER: 'kannel', EMAIL_PROVIDER: 'smtp' });
      expect(config.AUTH_JWKS_URL).toMatch(/^https:\/\//);
      // The payload keys come from the mounted secret, not a dev keyring under DATA_DIR.
      expect(fs.readFileSync(env.PAYLOAD_KEYS_FILE as string, 'utf8')).toMatch(/^[\w-]+:[A-Za-z0-9+/]{43}=/);
      // Keycloak issues the tokens and holds the logins; its certificate is what Node trusts.
      expect(config).toMatchObject({
        IDENTITY_PROVIDER: 'keycloak',
        AUTH_ISSUER: 'https://keycloak:8443/realms/ibmb',
        AUTH_USER_ID_CLAIM: 'ib_user_id',
      });
      expect(fs.existsSync(env.NODE_EXTRA_CA_CERTS as string)).toBe(true);
    });

    it.each(['api', 'worker'])('%s is refused when any one production value is removed', (name) => {
      for (const key of PRODUCTION_NEEDS) {
        const env = startEnv(name);
        expect({ key, present: !!env[key] }).toEqual({ key, present: true });
        delete env[key];
        const issues = refusals(env);
        const named = key === 'PAYLOAD_KEYS_FILE' ? 'PAYLOAD_KEYS' : key;
        expect({ key, refused: issues.some((i) => i.startsWith(`${named}:`)) }).toEqual({
          key,
          refused: true,
        });
      }
      // Nor do dev keys or an http JWKS pass.
      expect(refusals({ ...startEnv(name), AUTH_DEV_KEYS: 'true' })).toEqual([
        expect.stringMatching(/^AUTH_DEV_KEYS:/),
      ]);
      const http = startEnv(name);
      http.AUTH_JWKS_URL = http.AUTH_JWKS_URL!.replace('https:', 'http:');
      expect(refusals(http)).toEqual([expect.stringMatching(/^AUTH_JWKS_URL: must be an https URL/)]);
    });

    it.each(['api', 'worker'])('%s refuses every public sample without the dev-only flag', (name) => {
      const env = startEnv(name);
      delete env.IBMB_DEV_ONLY_SAMPLES;
      // The API is not given Keycloak's admin client secret at all.
      const samples = name === 'api' ? SAMPLES.filter((s) => s !== 'KEYCLOAK_ADMIN_CLIENT_SECRET') : SAMPLES;
      expect(
        refusals(env)
          .map((i) => i.split(':')[0])
          .sort(),
      ).toEqual([...samples].sort());
    });

    it("gives Keycloak's admin client secret to the worker only", () => {
      expect(startEnv('api').KEYCLOAK_ADMIN_CLIENT_SECRET).toBe('');
      expect(loadServiceConfig(startEnv('api')).KEYCLOAK_ADMIN_CLIENT_SECRET).toBeUndefined();
      expect(startEnv('worker').KEYCLOAK_ADMIN_CLIENT_SECRET).toEqual(expect.any(String));
    });

    it.each(['api', 'worker'])(
      "%s, on a deployer's env file (IBMB_ENV_FILE) with the sample payload keys, is refused",
      (name) => {
        const deployed = projectWith([`IBMB_ENV_FILE=${deployerEnvFile(OWN_VALUES)}`]);
        const env = startEnv(name, deployed);
        expect(env.IBMB_DEV_ONLY_SAMPLES).toBeUndefined();
        expect(refusals(env)).toEqual([
          expect.stringMatching(/^PAYLOAD_KEYS_FILE: the public dev-only sample/),
        ]);
        // Its own payload keys too (IBMB_PAYLOAD_KEYS_FILE): it starts.
        const own = projectWith([
          `IBMB_ENV_FILE=${deployerEnvFile(OWN_VALUES)}`,
          `IBMB_PAYLOAD_KEYS_FILE=${ownKeys()}`,
        ]);
        expect(refusals(startEnv(name, own))).toEqual([]);
        expect(loadServiceConfig(startEnv(name, own)).CORE_BANKING_URL).toBe('https://esb.bank.example');
        // Nor does a deployer's file run on the simulator, or on no core banking at all.
        for (const [url, problem] of [
          ['http://simulator:4010', /^CORE_BANKING_URL: the dev-only core-banking simulator is refused/],
          [null, /^CORE_BANKING_URL: required/],
        ] as const) {
          const vars = [
            `IBMB_ENV_FILE=${deployerEnvFile({ ...OWN_VALUES, CORE_BANKING_URL: url })}`,
            `IBMB_PAYLOAD_KEYS_FILE=${ownKeys()}`,
          ];
          expect(refusals(startEnv(name, projectWith(vars)))).toEqual([expect.stringMatching(problem)]);
        }
      },
    );

    describe('dev-only-services, run as the service runs it', () => {
      let devOnly: DevOnlyServices;
      /** The compose env with the dev-only host names pointed at this machine's ports. */
      const local = (env: Record<string, string>) => {
        const ports: Record<string, string> = {
          '8443': new URL(devOnly.idpUrl).port,
          '8090': new URL(devOnly.httpUrl).port,
          '2525': String(devOnly.smtpPort),
        };
        const out = { ...env };
        for (const [k, v] of Object.entries(out)) {
          // The issuer is a name in the token, not an address to reach.
          if (k === 'AUTH_ISSUER') continue;
          out[k] = v.replace(
            /\/\/dev-only-services:(\d+)/,
            (_m, p: string) => `//localhost:${ports[p] ?? p}`,
          );
        }
        if (out.SMTP_HOST === 'dev-only-services') out.SMTP_HOST = '127.0.0.1';
        if (out.SMTP_PORT === '2525') out.SMTP_PORT = String(devOnly.smtpPort);
        return out;
      };

      beforeAll(async () => {
        const svc = project.services['dev-only-services'];
        const args = svc?.command ?? [];
        expect(args.slice(0, 2)).toEqual(['node', 'dist/scripts/dev-only-services.js']);
        const secretFile = (flag: string) => {
          const target = args[args.indexOf(flag) + 1] as string;
          return project.secrets[path.basename(target)]?.file as string;
        };
        const env = svc?.environment ?? {};
        devOnly = await startDevOnlyServices({
          tlsCert: secretFile('--tls-cert'),
          tlsKey: secretFile('--tls-key'),
          out: path.join(dir, 'dev-only-data'),
          issuer: env.AUTH_ISSUER as string,
          audience: env.AUTH_AUDIENCE as string,
          kannelUser: env.KANNEL_USERNAME as string,
          kannelPassword: env.KANNEL_PASSWORD as string,
          host: '127.0.0.1',
          idpPort: 0,
          httpPort: 0,
          smtpPort: 0,
        });
      });
      afterAll(() => devOnly?.stop());

      it("receives the worker's SMS (Kannel) and email (SMTP), and the channel webhook", async () => {
        const config = loadServiceConfig(local(startEnv('worker')));
        await createSmsSender(config).send({
          id: 'dev-1.sms',
          to: '+254700100002',
          body: '123456 is your code',
        });
        await createEmailSender(config).send({
          id: 'dev-1.email',
          to: 'brian.otieno@example.com',
          subject: 'Your code',
          text: '123456 is your code',
        });
        const hook = await fetch(config.CHANNEL_WEBHOOK_URL as string, {
          method: 'POST',
          body: '{"type":"x"}',
        });
        expect(hook.status).toBe(204);
        const got = (await (await fetch(`${devOnly.httpUrl}/messages`)).json()) as {
          kind: string;
          to: string;
          text: string;
        }[];
        expect(got.map((m) => [m.kind, m.to])).toEqual([
          ['sms', '+254700100002'],
          ['email', 'brian.otieno@example.com'],
          ['webhook', '/webhooks/channel'],
        ]);
        expect(got[1]?.text).toContain('123456 is your code');
        // A sendsms without the configured credentials is refused, as a real smsbox does.
        const forged = await fetch(`${devOnly.httpUrl}/cgi-bin/sendsms?username=x&password=y&to=1&text=t`);
        expect(forged.status).toBe(403);
      });
    });

    it('takes the dev-only values from files marked dev only, which a deployment replaces', () => {
      const envFile = fs.readFileSync(path.join(repoRoot, 'docker/dev-only/production.env'), 'utf8');
      expect(envFile.split('\n')[0]).toMatch(/^# DEV ONLY/);
      for (const s of Object.values(project.secrets))
        expect(path.relative(repoRoot, s.file)).toMatch(/^docker\/dev-only\//);
      // Every key of the env file is one the app (or Node itself) reads.
      const known = new Set(
        [
          ...fs
            .readFileSync(path.join(repoRoot, 'config/index.ts'), 'utf8')
            .matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm),
        ].map((m) => m[1]),
      );
      const keys = [...envFile.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
      expect(keys.filter((k) => !known.has(k) && k !== 'NODE_EXTRA_CA_CERTS')).toEqual([]);
      // The files are chosen by IBMB_ENV_FILE and IBMB_PAYLOAD_KEYS_FILE.
      const text = fs.readFileSync(composeFile, 'utf8');
      expect(text).toContain('${IBMB_ENV_FILE:-./docker/dev-only/production.env}');
      expect(text).toContain('${IBMB_PAYLOAD_KEYS_FILE:-./docker/dev-only/payload-keys}');
      expect(text).toContain('${IBMB_KEYCLOAK_ENV_FILE:-./docker/dev-only/keycloak.env}');
      const kcEnv = fs.readFileSync(path.join(repoRoot, 'docker/dev-only/keycloak.env'), 'utf8');
      expect(kcEnv.split('\n')[0]).toMatch(/^# DEV ONLY/);
    });

    describe('keycloak, run as the service runs it (the realm file it mounts, its env file)', () => {
      let keycloak: KeycloakAsComposed;
      beforeAll(async () => {
        keycloak = await startKeycloakAsComposed(project);
      }, 480_000);
      afterAll(() => keycloak?.stop());

      /** The api's or worker's compose env with https://keycloak:8443 pointed at this machine's port. */
      const reaching = (env: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(env).map(([k, v]) => [
            k,
            // The issuer is a name in the token (Keycloak's --hostname), not an address to reach.
            k === 'AUTH_ISSUER' ? v : v.replace('//keycloak:8443', `//localhost:${keycloak.port}`),
          ]),
        );

      it("mounts the realm and gives it every secret it names; the worker holds the admin client's", () => {
        const svc = project.services.keycloak as NormalizedService & {
          volumes?: { source: string; target: string; read_only?: boolean }[];
        };
        expect(svc.command).toEqual(expect.arrayContaining(['start', '--import-realm']));
        const realm = svc.volumes?.find((v) => v.target.startsWith('/opt/keycloak/data/import/'));
        expect(realm).toMatchObject({ read_only: true });
        expect(path.relative(repoRoot, realm!.source)).toBe('docker/keycloak/ibmb-realm.json');
        const text = fs.readFileSync(realm!.source, 'utf8');
        const needed = [...text.matchAll(/\$\{(IBMB_[A-Z_]+)\}/g)].map((m) => m[1] as string);
        expect(needed.length).toBeGreaterThan(0);
        for (const name of needed)
          expect({ name, set: !!svc.environment?.[name] }).toEqual({ name, set: true });
        expect(startEnv('worker').KEYCLOAK_ADMIN_CLIENT_SECRET).toBe(svc.environment?.IBMB_KC_ADMIN_SECRET);
      });

      it("issues a channel backend's token over https that the api, configured as Compose configures it, accepts", async () => {
        const env = reaching(startEnv('api'));
        const secret = project.services.keycloak?.environment?.IBMB_KC_CHANNEL_SECRET as string;
        const ca = fs.readFileSync(env.NODE_EXTRA_CA_CERTS as string);
        const token = await clientCredentials(keycloak, 'ibmb-channel-backend', secret, ca);
        const script = path.join(dir, 'verify.ts');
        fs.writeFileSync(
          script,
          `import { verifierFromConfig } from ${JSON.stringify(path.join(repoRoot, 'api/http/auth'))};
import { loadServiceConfig } from ${JSON.stringify(path.join(repoRoot, 'config/production'))};
verifierFromConfig(loadServiceConfig(process.env))
  .then((v) => v.verify(process.argv[2] as string))
  .then((p) => console.log(JSON.stringify({ subject: p.subject, scopes: [...p.scopes].sort() })));
`,
        );
        const run = (extra: Record<string, string>) =>
          new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
            execFile(
              process.execPath,
              [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), script, token],
              { env: { ...env, ...extra, PATH: process.env.PATH ?? '' }, encoding: 'utf8', cwd: repoRoot },
              (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
            ),
          );
        const verified = await run({});
        expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
        expect(JSON.parse(verified.stdout)).toEqual({
          subject: expect.any(String),
          scopes: ['ib-users:write', 'mfa:any-user', 'mfa:write', 'processes:read', 'registrations:write'],
        });
        // Without that trust, the same https JWKS is refused: the certificate is what lets it in.
        expect((await run({ NODE_EXTRA_CA_CERTS: '' })).status).not.toBe(0);
        // The worker's admin client secret is the realm's: it gets a token (never the master admin).
        const worker = reaching(startEnv('worker'));
        expect(
          await clientCredentials(
            keycloak,
            'ibmb-identity-admin',
            worker.KEYCLOAK_ADMIN_CLIENT_SECRET as string,
            ca,
          ),
        ).toMatch(/^ey/);
      }, 120_000);
    });
  });

  it('rejects a file Compose would refuse (the check can fail)', () => {
    const broken = path.join(dir, 'docker-compose.yml');
    fs.writeFileSync(
      broken,
      fs
        .readFileSync(composeFile, 'utf8')
        .replace('condition: service_completed_successfully', 'condition: service_completed'),
    );
    const res = load(broken);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/condition value must be one of/);
  });
});

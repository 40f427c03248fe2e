import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { payloadCodec } from '../../lib/codec/data-converter';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../lib/temporal-tuning';
import { startApiApp } from '../helpers/api-app';
import { readScrapeConfig } from '../helpers/prometheus';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';

/**
 * No Docker engine runs in CI, so the compose file and Dockerfile are checked as text:
 * the stack's shape, pinned images, and above all that every variable handed to an app
 * process is one the app reads (a typo would silently fall back to a default). The
 * scripts the stack mounts run here for real: the schema job against a stand-in
 * temporal-sql-tool, and the UI's codec wiring end to end against the real API app.
 */

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  volumes?: Array<string | { source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  entrypoint?: string | string[];
  restart?: string;
}

// Compose files use YAML merge keys (`<<: *anchor`), as Docker Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const APP_SERVICES = ['api', 'worker', 'simulator'] as const;
/** Services that run to completion; every other one stays up and is health-checked. */
const ONE_SHOT = ['temporal-schema', 'temporal-namespace', 'worker-version'];
const PROCESS_ENTRY: Record<(typeof APP_SERVICES)[number], string> = {
  api: 'dist/api/main.js',
  worker: 'dist/worker/main.js',
  simulator: 'dist/simulator/main.js',
};

/** @temporalio/envconfig's variables (config/temporal.ts hands the environment to it). */
const ENVCONFIG_KEYS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
];

/** The keys of config/index.ts's schema, read from its text (the schema is not exported). */
function configKeys(): Set<string> {
  const text = read('config/index.ts');
  return new Set([...text.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string));
}

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

/** Compose's `${VAR:-default}` with VAR unset, as a plain `docker compose up` reads it. */
const interpolate = (v: string) => v.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

function envOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((e) => [e.split('=')[0] ?? '', e.slice(e.indexOf('=') + 1)] as const)
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v)]));
}

function publishedPorts(name: string): Array<{ published: number; target: number }> {
  return (service(name).ports ?? []).map((p) => {
    if (typeof p === 'object') return { published: Number(p.published ?? p.target), target: p.target };
    const parts = String(p).split(':'); // [ip:]published:target
    const target = Number(parts.at(-1));
    return { published: parts.length > 1 ? Number(parts.at(-2)) : target, target };
  });
}

function dependencies(name: string): Record<string, string | undefined> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v.condition]));
}

function volumeMounts(name: string): Array<{ source: string; target: string }> {
  return (service(name).volumes ?? []).map((v) => {
    if (typeof v === 'object') return { source: v.source ?? '', target: v.target };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}

describe('docker-compose.yml', () => {
  it('defines the stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'ui-codec-capability',
        ...APP_SERVICES,
        'keycloak',
        'worker-version',
        'dev-only-services',
        'jaeger',
        'prometheus',
        'grafana',
      ].sort(),
    );
  });

  it('pins every pulled image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(/^[^:]+:v?\d+(\.\d+)*[\w.-]*$/),
      });
    }
    expect(read('docker-compose.yml')).not.toMatch(/:latest\b/);
    expect(service('postgresql').image).toMatch(/^postgres:16(\.|$)/);
    // auto-setup is deprecated (no new images): the server image, set up by admin-tools jobs.
    expect(read('docker-compose.yml')).not.toMatch(/auto-setup/);
    expect(service('temporal').image).toMatch(/^temporalio\/server:1\.29\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:2\.42\.\d+$/);
    const adminTools = service('temporal-schema').image;
    expect(adminTools).toMatch(/^temporalio\/admin-tools:1\.29\.\d+/);
    expect(service('temporal-namespace').image).toBe(adminTools);
    // admin-tools' schema files must match the server version they set up
    expect(adminTools?.split(':')[1]?.split('-')[0]).toBe(service('temporal').image?.split(':')[1]);
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(service('grafana').image).toMatch(/^grafana\/grafana:12\.\d+\.\d+$/);
    // Jaeger v2, the release of the Go module scripts/provision/jaeger/go.mod builds
    const goMod = read('scripts/provision/jaeger/go.mod');
    const moduleMinor = Number(/jaegertracing\/jaeger v1\.(\d+)\.0/.exec(goMod)?.[1]);
    expect(service('jaeger').image).toBe(`jaegertracing/jaeger:2.${moduleMinor - 63}.0`);
  });

  it.each(APP_SERVICES)('builds %s from the Dockerfile and runs its process', (name) => {
    const { build, command } = service(name);
    const dockerfile = typeof build === 'string' ? 'Dockerfile' : build?.dockerfile;
    const context = typeof build === 'string' ? build : build?.context;
    expect({ context, dockerfile }).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(Array.isArray(command) ? command : String(command).split(' ')).toEqual([
      'node',
      PROCESS_ENTRY[name],
    ]);
  });

  it('gives each app process the settings it needs', () => {
    const required: Record<(typeof APP_SERVICES)[number], string[]> = {
      api: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATA_DIR', 'HOST', 'PORT'],
      worker: [
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_TASK_QUEUE',
        'DATA_DIR',
        'TEMPORAL_WORKFLOW_BUNDLE',
      ],
      simulator: ['DATA_DIR', 'SIMULATOR_HOST', 'SIMULATOR_PORT'],
    };
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      const missing = required[name].filter((k) => !env[k]);
      expect({ name, missing }).toEqual({ name, missing: [] });
      // as in production, never on dev keys (what production needs comes from the env file:
      // compose-loader.test.ts feeds it to the config loader)
      expect({ name, NODE_ENV: env.NODE_ENV, AUTH_DEV_KEYS: env.AUTH_DEV_KEYS }).toEqual({
        name,
        NODE_ENV: 'production',
        AUTH_DEV_KEYS: undefined,
      });
    }
  });

  it('passes app processes only variables the app reads', () => {
    const known = new Set([...configKeys(), ...ENVCONFIG_KEYS]);
    expect(known.has('DATA_DIR')).toBe(true); // the config scan itself works
    for (const name of [...APP_SERVICES, 'ui-codec-capability', 'worker-version']) {
      const unknown = Object.keys(envOf(name)).filter(
        (k) => !known.has(k) && !k.startsWith('TEMPORAL_GRPC_META_'),
      );
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('points the processes at each other by service name', () => {
    const temporalPort = publishedPorts('temporal')[0]?.target;
    for (const name of ['api', 'worker']) {
      expect(envOf(name).TEMPORAL_ADDRESS).toBe(`temporal:${temporalPort}`);
      expect(envOf(name).TEMPORAL_NAMESPACE).toBe(envOf('temporal-namespace').TEMPORAL_NAMESPACE);
    }
    expect(envOf('worker').TEMPORAL_WORKFLOW_BUNDLE).toBe('/app/dist/workflow-bundle.js');
    // Core banking comes from the env file only: set in `environment:` it would override a
    // deployment's file and keep talking to the simulator.
    for (const name of ['api', 'worker']) expect(envOf(name).CORE_BANKING_URL).toBeUndefined();
    const devOnlyEnv = read('docker/dev-only/production.env');
    expect(devOnlyEnv).toContain(
      `\nCORE_BANKING_URL=http://simulator:${envOf('simulator').SIMULATOR_PORT}\n`,
    );
    expect(envOf('api').TEMPORAL_TASK_QUEUE).toBe(envOf('worker').TEMPORAL_TASK_QUEUE);
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe(`temporal:${temporalPort}`);
    expect(envOf('temporal-namespace').TEMPORAL_ADDRESS).toBe(`temporal:${temporalPort}`);
    // the worker-version job makes the worker's version current on the worker's server
    for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE'])
      expect({ k, v: envOf('worker-version')[k] }).toEqual({ k, v: envOf('worker')[k] });
    // traces go to the jaeger service's OTLP/HTTP receiver (docker/jaeger/config.yaml)
    const jaegerConfig = read('docker/jaeger/config.yaml');
    const otlpPort = /JAEGER_OTLP_HTTP_PORT:-(\d+)/.exec(jaegerConfig)?.[1];
    for (const name of ['api', 'worker'])
      expect(envOf(name).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://jaeger:${otlpPort}`);
    expect(publishedPorts('jaeger')).toEqual([{ published: 16686, target: 16686 }]);
    expect(jaegerConfig).toContain('${env:JAEGER_QUERY_PORT:-16686}');
  });

  it('builds the image with the commit the worker version names (.git stays out of the context)', () => {
    const build = service('worker').build as { args?: Record<string, string> };
    expect(build.args?.IBMB_COMMIT).toBe('${IBMB_COMMIT:-unknown}');
    expect(read('Dockerfile')).toMatch(/\nARG IBMB_COMMIT=unknown\nRUN npm run build\n/);
    expect(read('.dockerignore')).toMatch(/^\.git$/m);
  });

  it('runs the Temporal server on the PostgreSQL schema the schema job set up', () => {
    const server = envOf('temporal');
    const schema = envOf('temporal-schema');
    expect(server).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', BIND_ON_IP: '0.0.0.0' });
    for (const k of ['DB', 'DB_PORT', 'POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD']) {
      expect({ k, schema: schema[k] }).toEqual({ k, schema: server[k] });
    }
    expect(schema.SQL_PASSWORD).toBe(server.POSTGRES_PWD);
    expect(server.POSTGRES_USER).toBe(envOf('postgresql').POSTGRES_USER);
    expect(server.POSTGRES_PWD).toBe(envOf('postgresql').POSTGRES_PASSWORD);
    expect(server.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/development-sql.yaml');
    const dynamicConfig = volumeMounts('temporal').find(
      (v) => v.target === '/etc/temporal/config/dynamicconfig',
    );
    expect(fs.existsSync(path.join(root, dynamicConfig?.source ?? '-', 'development-sql.yaml'))).toBe(true);
  });

  it('tunes the Temporal server as the dev server is tuned (lib/temporal-tuning.ts)', () => {
    const file = parse(
      fs.readFileSync(path.join(root, 'docker/temporal/dynamicconfig/development-sql.yaml'), 'utf8'),
    ) as Record<string, { value: unknown; constraints: object }[]>;
    for (const [key, value] of Object.entries(TEMPORAL_DYNAMIC_CONFIG)) {
      expect({ key, entries: file[key] }).toEqual({ key, entries: [{ value, constraints: {} }] });
    }
  });

  it('publishes the API, the Temporal frontend, the UI, Prometheus and Grafana on loopback only', () => {
    expect(publishedPorts('api')).toContainEqual({ published: 3000, target: Number(envOf('api').PORT) });
    expect(publishedPorts('temporal')).toContainEqual({ published: 7233, target: 7233 });
    expect(publishedPorts('temporal-ui')).toContainEqual({ published: 8233, target: 8080 });
    expect(publishedPorts('prometheus')).toContainEqual({ published: 9090, target: 9090 });
    expect(publishedPorts('grafana')).toContainEqual({ published: 3001, target: 3000 });
    expect(publishedPorts('keycloak')).toContainEqual({ published: 8444, target: 8443 });
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? [])
        expect({ name, port: String(p) }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
  });

  it('starts services in dependency order', () => {
    expect(dependencies('temporal-schema')).toEqual({ postgresql: 'service_healthy' });
    // the server starts only on a finished schema, as temporalio/samples-server's compose does
    expect(dependencies('temporal')).toEqual({
      postgresql: 'service_healthy',
      'temporal-schema': 'service_completed_successfully',
    });
    expect(dependencies('temporal-namespace')).toEqual({ temporal: 'service_healthy' });
    expect(dependencies('temporal-ui')).toEqual({
      temporal: 'service_healthy',
      'ui-codec-capability': 'service_healthy',
    });
    // namespace and search attributes exist before a workflow is started or upserts them
    const temporalReady = {
      temporal: 'service_healthy',
      'temporal-namespace': 'service_completed_successfully',
    };
    expect(dependencies('worker')).toEqual({ ...temporalReady, simulator: 'service_healthy' });
    // a run the API starts is served once the worker's version is current
    expect(dependencies('worker-version')).toEqual({ worker: 'service_healthy' });
    expect(dependencies('api')).toEqual({
      ...temporalReady,
      'worker-version': 'service_completed_successfully',
    });
    expect(dependencies('prometheus')).toEqual({ api: 'service_healthy', worker: 'service_healthy' });
    expect(dependencies('grafana')).toEqual({ prometheus: 'service_healthy' });
    for (const name of ONE_SHOT)
      expect({ name, restart: service(name).restart }).toEqual({
        name,
        restart: expect.stringMatching(/^on-failure/),
      });
  });

  it('health-checks every service that stays up, with what its image ships', () => {
    const longRunning = Object.keys(services).filter((n) => !ONE_SHOT.includes(n));
    expect(longRunning.sort()).toEqual(
      [
        'postgresql',
        'temporal',
        'temporal-ui',
        'ui-codec-capability',
        ...APP_SERVICES,
        'keycloak',
        'dev-only-services',
        'jaeger',
        'prometheus',
        'grafana',
      ].sort(),
    );
    const check = (name: string) => JSON.stringify(service(name).healthcheck?.test ?? null);
    for (const name of longRunning)
      expect({ name, test: service(name).healthcheck?.test }).toEqual({ name, test: expect.anything() });
    expect(check('postgresql')).toContain('pg_isready');
    // the server image ships the temporal CLI; SERVING means the frontend answers
    expect(check('temporal')).toMatch(
      /temporal operator cluster health --address 127\.0\.0\.1:7233 \| grep -q SERVING/,
    );
    // the UI image ships curl; its server answers /healthz on its container port
    expect(check('temporal-ui')).toContain(`"curl"`);
    expect(check('temporal-ui')).toContain(
      `http://127.0.0.1:${publishedPorts('temporal-ui')[0]?.target}/healthz`,
    );
    // the slim app image has no curl: node's fetch
    expect(check('api')).toContain(`http://127.0.0.1:${envOf('api').PORT}/healthz`);
    expect(check('simulator')).toContain(`http://127.0.0.1:${envOf('simulator').SIMULATOR_PORT}/healthz`);
    // the worker serves no HTTP of its own: the SDK runtime's metrics endpoint is up while it runs
    expect(check('worker')).toContain(`http://127.0.0.1:${envOf('worker').WORKER_METRICS_PORT}/metrics`);
    expect(check('prometheus')).toContain('http://127.0.0.1:9090/-/ready');
    expect(check('jaeger')).toContain('http://127.0.0.1:13133/status');
    expect(check('ui-codec-capability')).toBe('["CMD","test","-f","/ui-codec/token"]');
    expect(check('grafana')).toContain(`http://127.0.0.1:${publishedPorts('grafana')[0]?.target}/api/health`);
    for (const name of [...APP_SERVICES, 'dev-only-services'])
      expect(check(name)).toMatch(/^\["CMD","node","-e",/);
    expect(check('dev-only-services')).toContain('http://127.0.0.1:8090/healthz');
    // the Keycloak image has bash but no curl: /dev/tcp to the plain-HTTP management port
    expect(check('keycloak')).toContain('/dev/tcp/127.0.0.1/9000');
    expect(check('keycloak')).toContain('GET /health/ready');
    expect(service('keycloak').command).toEqual(expect.arrayContaining(['--http-management-scheme=http']));
  });

  it('has Prometheus scrape the api and worker where they listen', () => {
    const targets = readScrapeConfig().scrape_configs.flatMap((j) =>
      j.static_configs.flatMap((c) => c.targets),
    );
    expect(targets.sort()).toEqual(
      [`api:${envOf('api').API_METRICS_PORT}`, `worker:${envOf('worker').WORKER_METRICS_PORT}`].sort(),
    );
    expect(envOf('worker').WORKER_METRICS_HOST).toBe('0.0.0.0'); // reachable from the prometheus container
    expect(envOf('api').API_METRICS_HOST).toBe('0.0.0.0');
    // the metrics listener is for Prometheus on the compose network, never published
    expect(publishedPorts('api').map((p) => String(p.target))).not.toContain(
      String(envOf('api').API_METRICS_PORT),
    );
  });

  it('shares state between api and worker and keeps the simulator apart', () => {
    const dataVolume = (name: string) => volumeMounts(name).find((v) => v.target === '/data')?.source;
    expect(dataVolume('api')).toBe('appdata');
    expect(dataVolume('worker')).toBe('appdata');
    expect(dataVolume('simulator')).toEqual(expect.any(String));
    expect(dataVolume('simulator')).not.toBe('appdata');
    for (const name of APP_SERVICES) expect(envOf(name).DATA_DIR).toBe('/data');
  });

  it('registers the search attributes the workflows use', () => {
    const pairs = envOf('temporal-namespace').SEARCH_ATTRIBUTES?.trim().split(/\s+/);
    expect(pairs?.sort()).toEqual(SEARCH_ATTRIBUTES.map((k) => `${k.name}=Keyword`).sort());
  });

  it('mounts only files that exist in the repository', () => {
    for (const name of Object.keys(services)) {
      for (const { source } of volumeMounts(name).filter((v) => v.source.startsWith('./'))) {
        expect({ name, source, exists: fs.existsSync(path.join(root, source)) }).toEqual({
          name,
          source,
          exists: true,
        });
      }
    }
  });
});

/** A host directory standing in for each named volume, and the mapping of a service's container paths onto it. */
function volumesIn(dir: string) {
  return (name: string, containerPath: string): string => {
    const mount = volumeMounts(name).find(
      (v) => containerPath === v.target || containerPath.startsWith(`${v.target}/`),
    );
    if (!mount) throw new Error(`${name} mounts nothing at ${containerPath}`);
    const host = mount.source.startsWith('./')
      ? path.join(root, mount.source)
      : path.join(dir, 'volumes', mount.source);
    if (!mount.source.startsWith('./')) fs.mkdirSync(host, { recursive: true });
    return host + containerPath.slice(mount.target.length);
  };
}

/** The script a one-shot admin-tools service runs: its entrypoint `/bin/sh <mounted script>`. */
function entrypointScript(name: string): string {
  const entrypoint = service(name).entrypoint as string[];
  expect(entrypoint.slice(0, -1)).toEqual(['/bin/sh']);
  const mount = volumeMounts(name).find((v) => v.target === entrypoint.at(-1));
  if (!mount) throw new Error(`${name}'s entrypoint script is not mounted`);
  return path.join(root, mount.source);
}

describe('temporal-schema job (docker/temporal/setup-schema.sh)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-schema-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the script with the service's environment and a temporal-sql-tool that logs its arguments. */
  function runSchemaJob(failOn?: string): { status: number; calls: string[] } {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(dir, 'calls');
    fs.writeFileSync(
      path.join(bin, 'temporal-sql-tool'),
      `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *"${failOn ?? '#never#'}"*) exit 1 ;; esac\n`,
      { mode: 0o755 },
    );
    let status = 0;
    try {
      execFileSync('/bin/sh', [entrypointScript('temporal-schema')], {
        env: { ...envOf('temporal-schema'), PATH: `${bin}:/usr/bin:/bin` },
        stdio: 'pipe',
      });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status, calls };
  }

  it('creates both databases and applies every schema version, as the maintained compose does', () => {
    const { status, calls } = runSchemaJob();
    expect(status).toBe(0);
    const common = '--plugin postgres12 --ep postgresql -u temporal -p 5432';
    const dir12 = '/etc/temporal/schema/postgresql/v12';
    expect(calls).toEqual([
      `${common} --db temporal create`,
      `${common} --db temporal setup-schema -v 0.0`,
      `${common} --db temporal update-schema -d ${dir12}/temporal/versioned`,
      `${common} --db temporal_visibility create`,
      `${common} --db temporal_visibility setup-schema -v 0.0`,
      `${common} --db temporal_visibility update-schema -d ${dir12}/visibility/versioned`,
    ]);
  });

  it('reruns over existing databases (create fails, the schema steps still run)', () => {
    const { status, calls } = runSchemaJob(' create');
    expect(status).toBe(0);
    expect(calls.filter((c) => /update-schema/.test(c))).toHaveLength(2);
  });

  it('fails, so the server does not start, when a schema step fails', () => {
    const { status, calls } = runSchemaJob('--db temporal update-schema');
    expect(status).not.toBe(0);
    expect(calls.some((c) => c.includes('temporal_visibility'))).toBe(false);
  });
});

describe('the Temporal UI’s codec endpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-ui-codec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const keepers: ChildProcess[] = [];
  // The whole group: tsx runs the script in a child of its own, which a kill of tsx alone
  // left running after the suite.
  afterEach(() =>
    keepers.splice(0).forEach((k) => {
      try {
        if (k.pid) process.kill(-k.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }),
  );

  /**
   * Starts the ui-codec-capability service's command from source (scripts/codec-capability.ts),
   * volumes mapped into `dir`, and resolves once its healthcheck's file exists.
   */
  async function startCapabilityKeeper(extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
    const at = volumesIn(dir);
    const [node, script, ...args] = (service('ui-codec-capability').command as string[]).map(interpolate);
    expect([node, script]).toEqual(['node', 'dist/scripts/codec-capability.js']);
    const out = args.indexOf('--out');
    args[out + 1] = at('ui-codec-capability', args[out + 1] as string);
    const env = { ...envOf('ui-codec-capability'), ...extraEnv };
    env.DATA_DIR = at('ui-codec-capability', env.DATA_DIR as string);
    const keeper = spawn(
      process.execPath,
      [
        path.join(root, 'node_modules/tsx/dist/cli.mjs'),
        path.join(root, 'scripts/codec-capability.ts'),
        ...args,
      ],
      { cwd: root, env: { ...env, PATH: process.env.PATH ?? '' }, stdio: 'ignore', detached: true },
    );
    keepers.push(keeper);
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(args[out + 1] as string)) {
      if (Date.now() > deadline || keeper.exitCode !== null)
        throw new Error('codec capability keeper did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    return keeper;
  }

  /**
   * Runs the UI service's entrypoint with its environment, volumes mapped into `dir`, in
   * place of the image's start-ui-server.sh a stand-in that prints what the UI would read.
   */
  function uiSettings(): { endpoint: string; passAccessToken?: string } {
    const at = volumesIn(dir);
    const entrypoint = service('temporal-ui').entrypoint as string[];
    expect(entrypoint.slice(0, -1)).toEqual(['/bin/bash']);
    const script = at('temporal-ui', entrypoint.at(-1) as string);
    const workdir = path.join(dir, 'ui-server');
    fs.mkdirSync(workdir);
    fs.writeFileSync(
      path.join(workdir, 'start-ui-server.sh'),
      '#!/bin/sh\nprintf \'{"endpoint":"%s","passAccessToken":"%s"}\' "$TEMPORAL_CODEC_ENDPOINT" "${TEMPORAL_CODEC_PASS_ACCESS_TOKEN:-}"\n',
      { mode: 0o755 },
    );
    const env = envOf('temporal-ui');
    env.IBMB_CODEC_TOKEN_FILE = at('temporal-ui', env.IBMB_CODEC_TOKEN_FILE as string);
    const out = execFileSync('/bin/bash', [script], {
      cwd: workdir,
      env: { ...env, PATH: process.env.PATH ?? '' },
      stdio: 'pipe',
    });
    return JSON.parse(out.toString()) as { endpoint: string; passAccessToken?: string };
  }

  /** The real API app with the api service's settings, on the shared app data volume. */
  const startComposeApi = () => {
    const env = envOf('api');
    return startApiApp({
      NODE_ENV: env.NODE_ENV as string,
      CODEC_CORS_ORIGINS: env.CODEC_CORS_ORIGINS as string,
      DATA_DIR: volumesIn(dir)('api', env.DATA_DIR as string),
    });
  };

  const uiOrigin = () => `http://localhost:${publishedPorts('temporal-ui')[0]?.published}`;
  const apiOrigin = () => `http://localhost:${publishedPorts('api')[0]?.published}`;

  it('is the API’s codec route, with a capability token the API accepts, from the UI’s page', async () => {
    const keeper = await startCapabilityKeeper();
    const { endpoint, passAccessToken } = uiSettings();
    expect(passAccessToken).toBe('');
    // The browser on the host calls it: the API as the host publishes it.
    const url = new URL(endpoint);
    expect(url.origin).toBe(apiOrigin());
    expect(url.pathname).toMatch(/^\/codec\/k\/[\w-]{43}$/);

    const api = await startComposeApi();
    try {
      const plain = { metadata: { encoding: 'json/plain' }, data: '{"customerId":"100001"}' };
      const [encrypted] = await payloadCodec(api.config).encode([
        {
          metadata: { encoding: Buffer.from(plain.metadata.encoding) },
          data: Buffer.from(plain.data),
        },
      ]);
      const body = {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(encrypted?.metadata ?? {}).map(([k, v]) => [
                k,
                Buffer.from(v ?? []).toString('base64'),
              ]),
            ),
            data: Buffer.from(encrypted?.data ?? []).toString('base64'),
          },
        ],
      };
      // What the UI does: POST ${endpoint}/decode with its origin and the X-Namespace header.
      const headers = { origin: uiOrigin(), 'content-type': 'application/json', 'x-namespace': 'default' };
      const preflight = await fetch(`${api.url}${url.pathname}/decode`, {
        method: 'OPTIONS',
        headers: { origin: uiOrigin(), 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin());
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
      const res = await fetch(`${api.url}${url.pathname}/decode`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin());
      const [decoded] = ((await res.json()) as { payloads: Array<{ data: string }> }).payloads;
      expect(Buffer.from(decoded?.data ?? '', 'base64').toString()).toBe(plain.data);

      // The capability is the auth: another token, or none, is refused.
      const forged = url.pathname.replace(/\/k\/[^/]+$/, `/k/${'A'.repeat(43)}`);
      expect(
        (await fetch(`${api.url}${forged}/decode`, { method: 'POST', headers, body: JSON.stringify(body) }))
          .status,
      ).toBe(401);
      expect(
        (await fetch(`${api.url}/codec/decode`, { method: 'POST', headers, body: JSON.stringify(body) }))
          .status,
      ).toBe(401);

      // Stopping the service revokes the capability.
      const stopped = new Promise((r) => keeper.once('exit', r));
      keeper.kill('SIGTERM');
      await stopped;
      expect(
        (
          await fetch(`${api.url}${url.pathname}/decode`, {
            method: 'POST',
            headers,
            body: JSON.stringify(body),
          })
        ).status,
      ).toBe(401);
    } finally {
      await api.stop();
    }
  });

  it('with an identity provider (AUTH_JWKS_URL), passes the signed-in user’s token to /codec', async () => {
    await startCapabilityKeeper({ AUTH_JWKS_URL: 'https://idp.example/jwks' });
    const { endpoint, passAccessToken } = uiSettings();
    expect(endpoint).toBe(`${apiOrigin()}/codec`);
    expect(passAccessToken).toBe('true');
    const api = await startComposeApi();
    try {
      // a real route that wants a token: 401, not the 404 the old endpoint got
      const res = await fetch(`${api.url}${new URL(endpoint).pathname}/decode`, {
        method: 'POST',
        headers: { origin: uiOrigin(), 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(res.status).toBe(401);
    } finally {
      await api.stop();
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  /** Instructions of one stage, continuation lines joined. */
  const stage = (name: string): string[] => {
    const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
    const start = lines.findIndex((l) => new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${name}\\s*$`, 'i').test(l));
    if (start < 0) throw new Error(`Dockerfile has no stage ${name}`);
    const end = lines.findIndex((l, i) => i > start && /^FROM\s/i.test(l));
    return lines.slice(start, end < 0 ? undefined : end).filter((l) => l.trim() && !l.startsWith('#'));
  };

  it('builds on node:24-bookworm-slim in a build and a runtime stage', () => {
    expect(stage('build')[0]).toMatch(/^FROM node:24-bookworm-slim AS build$/);
    expect(stage('runtime')[0]).toMatch(/^FROM node:24-bookworm-slim AS runtime$/);
  });

  it('creates the volume mount points the unprivileged process writes, owned by it', () => {
    const runtime = stage('runtime').join('\n');
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    const written = ['api', 'ui-codec-capability'].flatMap((n) =>
      volumeMounts(n)
        .filter((v) => !v.source.startsWith('.'))
        .map((v) => v.target),
    );
    for (const dir of new Set(written)) {
      expect({
        dir,
        created: runtime.includes(`mkdir -p`) && new RegExp(`mkdir -p[^\\n]*${dir}\\b`).test(runtime),
      }).toEqual({ dir, created: true });
      expect({ dir, owned: new RegExp(`chown ${user}:${user}[^\\n]*${dir}\\b`).test(runtime) }).toEqual({
        dir,
        owned: true,
      });
    }
  });

  it('compiles in the build stage', () => {
    const build = stage('build').join('\n');
    expect(build).toMatch(/RUN .*npm ci\b/);
    expect(build).toMatch(/RUN npm run build\b/);
  });

  it('ships production dependencies and dist/ only', () => {
    const runtime = stage('runtime').join('\n');
    expect(runtime).toMatch(/RUN .*npm ci --omit=dev\b/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY \. /);
  });

  it('runs as a non-root user', () => {
    const users = stage('runtime').filter((l) => /^USER\s/i.test(l));
    expect(users.at(-1)).toMatch(/^USER\s+(?!root\b|0\b)\S+/);
  });

  it('keeps dependencies, local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', '.git', '.data', '.tools', '.env', 'dist']),
    );
  });
});

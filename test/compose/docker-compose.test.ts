import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs in CI, so the compose file and Dockerfile are checked as text:
 * the stack's shape, pinned images, and above all that every variable handed to an app
 * process is one the app reads (a typo would silently fall back to a default).
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
}

// Compose files use YAML merge keys (`<<: *anchor`), as Docker Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const APP_SERVICES = ['api', 'worker', 'simulator'] as const;
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

function envOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((e) => [e.split('=')[0] ?? '', e.slice(e.indexOf('=') + 1)] as const)
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries);
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
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal',
        'temporal-ui',
        'temporal-admin-tools',
        ...APP_SERVICES,
      ]),
    );
  });

  it('pins every pulled image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(/^[^:]+:\d+(\.\d+)*[\w.-]*$/),
      });
    }
    expect(read('docker-compose.yml')).not.toMatch(/:latest\b/);
    expect(service('postgresql').image).toMatch(/^postgres:16(\.|$)/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:2\.42\.\d+$/);
    expect(service('temporal-admin-tools').image).toMatch(/^temporalio\/admin-tools:1\.29\.\d+/);
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
        'CORE_BANKING_URL',
        'TEMPORAL_WORKFLOW_BUNDLE',
      ],
      simulator: ['DATA_DIR', 'SIMULATOR_HOST', 'SIMULATOR_PORT'],
    };
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      const missing = required[name].filter((k) => !env[k]);
      expect({ name, missing }).toEqual({ name, missing: [] });
      // production config refuses to start without a JWKS URL unless dev keys are allowed
      expect({ name, NODE_ENV: env.NODE_ENV, AUTH_DEV_KEYS: env.AUTH_DEV_KEYS }).toEqual({
        name,
        NODE_ENV: 'production',
        AUTH_DEV_KEYS: 'true',
      });
    }
  });

  it('passes app processes only variables the app reads', () => {
    const known = new Set([...configKeys(), ...ENVCONFIG_KEYS]);
    expect(known.has('DATA_DIR')).toBe(true); // the config scan itself works
    for (const name of APP_SERVICES) {
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
      expect(envOf(name).TEMPORAL_NAMESPACE).toBe(envOf('temporal-admin-tools').TEMPORAL_NAMESPACE);
    }
    expect(envOf('worker').TEMPORAL_WORKFLOW_BUNDLE).toBe('/app/dist/workflow-bundle.js');
    expect(envOf('worker').CORE_BANKING_URL).toBe(`http://simulator:${envOf('simulator').SIMULATOR_PORT}`);
    expect(envOf('api').TEMPORAL_TASK_QUEUE).toBe(envOf('worker').TEMPORAL_TASK_QUEUE);
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe(`temporal:${temporalPort}`);
    expect(envOf('temporal-ui').TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${envOf('api').PORT}`);
  });

  it('publishes the API, the Temporal frontend and the UI', () => {
    expect(publishedPorts('api')).toContainEqual({ published: 3000, target: Number(envOf('api').PORT) });
    expect(publishedPorts('temporal')).toContainEqual({ published: 7233, target: 7233 });
    expect(publishedPorts('temporal-ui')).toContainEqual({ published: 8233, target: 8080 });
  });

  it('starts services in dependency order', () => {
    expect(dependencies('temporal')).toMatchObject({ postgresql: 'service_healthy' });
    expect(dependencies('temporal-ui')).toMatchObject({ temporal: 'service_healthy' });
    expect(dependencies('temporal-admin-tools')).toMatchObject({ temporal: 'service_healthy' });
    // search attributes must exist before a workflow is started or upserts them
    const temporalReady = {
      temporal: 'service_healthy',
      'temporal-admin-tools': 'service_completed_successfully',
    };
    expect(dependencies('worker')).toMatchObject({ ...temporalReady, simulator: 'service_healthy' });
    expect(dependencies('api')).toMatchObject(temporalReady);
  });

  it('health-checks what others wait on', () => {
    for (const name of ['postgresql', 'temporal', 'simulator', 'api']) {
      expect({ name, test: service(name).healthcheck?.test }).toEqual({ name, test: expect.anything() });
    }
    expect(JSON.stringify(service('api').healthcheck?.test)).toContain(':3000/healthz');
    expect(JSON.stringify(service('simulator').healthcheck?.test)).toContain(':4010/healthz');
    expect(JSON.stringify(service('postgresql').healthcheck?.test)).toContain('pg_isready');
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
    const pairs = envOf('temporal-admin-tools').SEARCH_ATTRIBUTES?.trim().split(/\s+/);
    expect(pairs?.sort()).toEqual(
      ['CustomerId', 'ProcessType', 'ProcessStep', 'Channel', 'MfaPurpose'].map((n) => `${n}=Keyword`).sort(),
    );
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

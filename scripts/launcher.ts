import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { CODEC_CAPABILITY_TTL_MS, keepCodecCapability } from '../lib/codec-capability';
import { prettyLine, prettyLogs } from '../lib/logger';
import { devServerDynamicConfigArgs } from '../lib/temporal-tuning';
import { devServerSearchAttributeArgs } from '../messages/search-attributes';
import { Child, httpOk, waitUntil, type ChildSpec } from './launcher/child';
import { temporalCli as temporalCliPath } from '../lib/tools';
import {
  CLIENTS,
  keycloakCommand,
  keycloakInstance,
  keycloakServiceEnv,
  type KeycloakInstance,
} from './launcher/keycloak';
import { makeVersionCurrent, versionName, workerDeploymentVersion } from '../worker/deployment';

/**
 * `npm start`: the whole embedded stack in dependency order — Temporal dev server
 * (SQLite under DATA_DIR, UI on :8233), core-banking simulator, worker, API — with
 * prefixed logs, and every child stopped on Ctrl-C/SIGTERM or if one of them dies.
 */
const root = path.resolve(__dirname, '..', '..');
const dist = path.resolve(__dirname, '..');
const config = loadConfig();
const temporalCli = temporalCliPath(root);
const temporalPort = Number(process.env.TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
const temporalAddress = `127.0.0.1:${temporalPort}`;
/**
 * `npm start -- --keycloak` (or START_KEYCLOAK=true): a Keycloak with the repository's realm
 * beside the rest (KEYCLOAK_PORT, default 8180); it issues the tokens and holds the logins.
 */
const wantsKeycloak =
  process.argv.includes('--keycloak') || /^(true|1|yes)$/.test(process.env.START_KEYCLOAK ?? '');
let keycloak: KeycloakInstance | undefined;

/** Provisions Keycloak on first use (`npm start` itself provisions only node and the CLI). */
function startKeycloakInstance(): KeycloakInstance {
  if (!fs.existsSync(keycloakCommand(root))) {
    const run = spawnSync('bash', [path.join(root, 'scripts/provision.sh'), 'keycloak'], {
      stdio: 'inherit',
    });
    if (run.status !== 0) throw new Error('provisioning Keycloak failed (scripts/provision.sh keycloak)');
  }
  return keycloakInstance(root, {
    port: Number(process.env.KEYCLOAK_PORT ?? 8180),
    managementPort: Number(process.env.KEYCLOAK_MANAGEMENT_PORT ?? 9180),
    instanceDir: path.join(config.dataDir, 'keycloak'),
  });
}

const shared: Record<string, string> = {
  DATA_DIR: config.dataDir,
  // Readiness is read off the children's JSON lines; the launcher renders them for a terminal.
  LOG_FORMAT: 'json',
  TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? temporalAddress,
  // The worker talks to this launcher's simulator unless told otherwise.
  CORE_BANKING_URL: process.env.CORE_BANKING_URL ?? `http://127.0.0.1:${config.SIMULATOR_PORT}`,
};

/**
 * The worker's Deployment Version (the build `npm run build` recorded): once the worker
 * polls, the launcher makes it current, as ops do after a deploy (docs/operations.md), so
 * new runs and the auto-upgrade entities go to this build. Pinned runs of an earlier build
 * in the same DATA_DIR wait for a worker of their build.
 */
const deployment = workerDeploymentVersion(config);
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

/**
 * The dev UI has no login of its own, so it gets a codec capability: decoding only, valid
 * an hour at a time and renewed while this launcher runs (lib/codec-capability.ts). With a
 * real identity provider (AUTH_JWKS_URL) the UI is configured to pass the ops user's own
 * token instead.
 */
let codecCapability: { secret: string; stop: () => void } | undefined;

function uiCodecEndpoint(): string | undefined {
  if (config.AUTH_JWKS_URL || keycloak) return undefined;
  codecCapability = keepCodecCapability(config.keysDir, CODEC_CAPABILITY_TTL_MS);
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return `http://${host}:${config.PORT}/codec/k/${codecCapability.secret}`;
}

let codecEndpoint: string | undefined;

const keycloakSpecs = (k: KeycloakInstance): ChildSpec[] => [
  {
    name: 'keycloak',
    command: k.command,
    args: k.args,
    env: k.env,
    // A JVM and a realm import: minutes on a busy small machine.
    ready: () => waitUntil('Keycloak', httpOk(k.healthUrl), 600_000),
  },
];

const specs = (): ChildSpec[] => [
  {
    name: 'temporal',
    command: temporalCli,
    args: [
      'server',
      'start-dev',
      '--db-filename',
      path.join(config.dataDir, 'temporal.sqlite'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--ui-port',
      String(uiPort),
      '--namespace',
      'default',
      '--log-level',
      'error',
      ...devServerSearchAttributeArgs(),
      ...devServerDynamicConfigArgs(),
      ...(codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []),
    ],
    ready: () =>
      waitUntil(
        'Temporal dev server',
        async () => {
          const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 1_000 });
          try {
            await connection.workflowService.getSystemInfo({});
            return true;
          } finally {
            await connection.close();
          }
        },
        60_000,
      ).then(() => waitUntil('Temporal UI', httpOk(`http://127.0.0.1:${uiPort}/`), 30_000)),
  },
  ...(keycloak ? keycloakSpecs(keycloak) : []),
  {
    name: 'simulator',
    command: process.execPath,
    args: [path.join(dist, 'simulator', 'main.js')],
    env: shared,
    ready: () =>
      waitUntil(
        'core-banking simulator',
        httpOk(`http://127.0.0.1:${config.SIMULATOR_PORT}/healthz`),
        30_000,
      ),
  },
  {
    name: 'worker',
    command: process.execPath,
    args: [path.join(dist, 'worker', 'main.js')],
    env: { ...shared, ...(deployment && { WORKER_BUILD_ID: deployment.buildId }) },
    ready: async (child) => {
      await child.waitForLine(/"msg":"worker running"/, 60_000);
      if (!deployment) return;
      const connection = await Connection.connect({ address: shared.TEMPORAL_ADDRESS });
      try {
        await makeVersionCurrent(connection.workflowService, namespace, deployment, { identity: 'launcher' });
      } finally {
        await connection.close();
      }
      console.log(`[launcher] current worker version ${versionName(deployment)}`);
    },
  },
  {
    name: 'api',
    command: process.execPath,
    args: [path.join(dist, 'api', 'main.js')],
    env: shared,
    ready: () => waitUntil('API', httpOk(`http://${config.HOST}:${config.PORT}/readyz`), 60_000),
  },
];

const children: Child[] = [];
// Children write JSON lines into pipes; a person at this terminal reads them pretty.
const render = prettyLogs(config.LOG_FORMAT, process.stdout.isTTY) ? prettyLine(true) : undefined;
let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`[launcher] stopping (${reason})`);
  // Reverse order: the API stops taking requests before the worker drains and the server goes.
  for (const child of [...children].reverse())
    await child.stop(['worker', 'keycloak'].includes(child.spec.name) ? 30_000 : 10_000);
  codecCapability?.stop();
  console.log('[launcher] stopped');
  process.exit(exitCode);
}

/**
 * `npm start` does not forward a SIGTERM sent to npm itself; when our parent goes away
 * we are re-parented, and stop everything rather than leave orphans behind.
 */
function watchParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('parent process exited', 0);
  }, 500).unref();
}

async function main(): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (!fs.existsSync(temporalCli)) throw new Error(`${temporalCli} is missing: run \`npm run provision\``);
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  watchParent();
  if (wantsKeycloak) {
    keycloak = startKeycloakInstance();
    Object.assign(shared, keycloakServiceEnv(keycloak));
  }
  codecEndpoint = uiCodecEndpoint();
  for (const [i, spec] of specs().entries()) {
    const child = new Child(spec, i, render);
    children.push(child);
    child.start((code) => void shutdown(`${spec.name} exited with ${code}`, 1));
    await spec.ready(child);
    console.log(`[launcher] ${spec.name} ready`);
  }
  console.log(
    `[launcher] up: API http://${config.HOST}:${config.PORT}  Temporal UI http://127.0.0.1:${uiPort}  ` +
      `core banking http://127.0.0.1:${config.SIMULATOR_PORT}  (data in ${config.dataDir}; Ctrl-C stops everything)`,
  );
  if (keycloak)
    console.log(
      `[launcher] Keycloak ${keycloak.issuer}: a channel backend's token by client credentials, client ` +
        `${CLIENTS.channel}, its secret in ${path.join(keycloak.instanceDir, 'client-secrets.json')} ("channel")`,
    );
}

main().catch((err) => {
  console.error(`[launcher] ${err instanceof Error ? err.message : err}`);
  void shutdown('start-up failed', 1);
});

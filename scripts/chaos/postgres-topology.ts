import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import { runKillScenario } from './kill';
import { machine, scenarioTable, writeSection } from './report';
import { waitUntil } from '../launcher/child';
import { repoRoot } from './stack';

/**
 * The production topology without Docker: a Temporal server built from
 * go.temporal.io/server (pinned) on PostgreSQL from Debian, its schema set up with the
 * server's SQL tool, two worker processes. Runs the end-to-end jest suites against it
 * and the kill scenario with one of the two workers `kill -9`ed mid-run; writes the
 * "postgres" section of docs/reliability.md. Not part of `npm test`:
 *
 *   npx tsx scripts/chaos/postgres-topology.ts [--smoke] [--no-e2e]
 *
 * Needs Go (the module cache or the Go proxy), and Debian's postgresql (initdb, pg_ctl).
 */
const SERVER_VERSION = 'v1.29.1';
const tools = path.join(repoRoot, '.tools', 'pg-topology');
const bin = path.join(tools, 'bin');
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const log = (line: string) => console.log(`[pg ${new Date().toISOString().slice(11, 19)}] ${line}`);

function sh(command: string, argv: string[], opts: { env?: NodeJS.ProcessEnv; user?: string } = {}): string {
  const [cmd, full] = opts.user ? ['runuser', ['-u', opts.user, '--', command, ...argv]] : [command, argv];
  return execFileSync(cmd, full, { encoding: 'utf8', env: { ...process.env, ...opts.env }, stdio: 'pipe' });
}

function goInstall(pkg: string, binary: string): string {
  const file = path.join(bin, binary);
  if (!fs.existsSync(file)) {
    log(`go install ${pkg}@${SERVER_VERSION}`);
    fs.mkdirSync(bin, { recursive: true });
    execFileSync('go', ['install', `${pkg}@${SERVER_VERSION}`], {
      env: { ...process.env, GOBIN: bin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false` },
      stdio: 'inherit',
    });
  }
  return file;
}

/** A free port below 32768: the server stores membership ports in a PostgreSQL smallint. */
async function freeSmallPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions)
    if (fs.existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  throw new Error('PostgreSQL not found: apt-get install postgresql');
}

const serverConfig = (p: Record<string, number | string>) => `log:
  stdout: true
  level: error
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
      sql:
        pluginName: "postgres12"
        databaseName: "temporal"
        connectAddr: "127.0.0.1:${p.pg}"
        connectProtocol: "tcp"
        user: "temporal"
        password: ""
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: "1h"
    postgres-visibility:
      sql:
        pluginName: "postgres12"
        databaseName: "temporal_visibility"
        connectAddr: "127.0.0.1:${p.pg}"
        connectProtocol: "tcp"
        user: "temporal"
        password: ""
        maxConns: 5
        maxIdleConns: 5
        maxConnLifetime: "1h"
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:
    rpc: { grpcPort: ${p.frontend}, membershipPort: ${p.frontendM}, bindOnLocalHost: true, httpPort: ${p.http} }
  matching:
    rpc: { grpcPort: ${p.matching}, membershipPort: ${p.matchingM}, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: ${p.history}, membershipPort: ${p.historyM}, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: ${p.worker}, membershipPort: ${p.workerM}, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${p.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${p.dir}/config/dynamicconfig/development-sql.yaml"
  pollInterval: "10s"
`;

async function main(): Promise<void> {
  const started = Date.now();
  const server = goInstall('go.temporal.io/server/cmd/server', 'server');
  const sqlTool = goInstall('go.temporal.io/server/cmd/tools/sql', 'sql');
  const gomodcache = sh('go', ['env', 'GOMODCACHE']).trim();
  const schemaDir = path.join(
    gomodcache,
    `go.temporal.io/server@${SERVER_VERSION}`,
    'schema',
    'postgresql',
    'v12',
  );
  if (!fs.existsSync(schemaDir))
    throw new Error(`${schemaDir} missing (go mod download go.temporal.io/server)`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-pg-'));
  const ports: Record<string, number> = {};
  for (const k of [
    'pg',
    'frontend',
    'frontendM',
    'http',
    'matching',
    'matchingM',
    'history',
    'historyM',
    'worker',
    'workerM',
  ])
    ports[k] = await freeSmallPort();
  const pg = pgBinDir();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : undefined;
  const pgData = path.join(dir, 'pgdata');
  let temporal: ChildProcess | undefined;
  let pgStarted = false;
  const results = [];
  let e2e = 'not run (--no-e2e)';
  try {
    // PostgreSQL on a loopback port, in a temp dir, as the postgres user.
    fs.mkdirSync(pgData);
    if (asRoot) sh('chown', ['-R', 'postgres:postgres', dir]);
    fs.chmodSync(dir, 0o755);
    sh(path.join(pg, 'initdb'), ['-D', pgData, '-U', 'temporal', '-A', 'trust', '-E', 'UTF8'], { user });
    sh(
      path.join(pg, 'pg_ctl'),
      [
        '-D',
        pgData,
        '-l',
        path.join(dir, 'pg.log'),
        '-w',
        '-o',
        `-p ${ports.pg} -k ${dir} -c listen_addresses=127.0.0.1`,
        'start',
      ],
      { user },
    );
    pgStarted = true;
    log(`PostgreSQL (${path.basename(path.dirname(pg))}) on 127.0.0.1:${ports.pg}`);

    // Schema with the server's own SQL tool.
    const sqlArgs = (db: string) => [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(ports.pg),
      '-u',
      'temporal',
      '--db',
      db,
    ];
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      sh(sqlTool, [...sqlArgs(db), 'create-database']);
      sh(sqlTool, [...sqlArgs(db), 'setup-schema', '-v', '0.0']);
      sh(sqlTool, [...sqlArgs(db), 'update-schema', '-d', path.join(schemaDir, schema, 'versioned')]);
    }
    log('schema set up with temporal-sql-tool');

    // The server.
    fs.mkdirSync(path.join(dir, 'config', 'dynamicconfig'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config', 'development.yaml'), serverConfig({ ...ports, dir }));
    fs.writeFileSync(path.join(dir, 'config', 'dynamicconfig', 'development-sql.yaml'), '{}\n');
    const out = fs.openSync(path.join(dir, 'temporal.log'), 'a');
    temporal = spawn(
      server,
      ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      {
        stdio: ['ignore', out, out],
      },
    );
    fs.closeSync(out);
    const address = `127.0.0.1:${ports.frontend}`;
    let serverExited = false;
    await waitUntil(
      'Temporal server',
      async () => {
        if (temporal?.exitCode !== null) {
          serverExited = true;
          return true;
        }
        const c = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await c.workflowService.getSystemInfo({});
          return true;
        } finally {
          await c.close();
        }
      },
      90_000,
    );
    if (serverExited)
      throw new Error(
        `Temporal server exited:\n${fs.readFileSync(path.join(dir, 'temporal.log'), 'utf8').slice(-3000)}`,
      );
    const cli = path.join(repoRoot, '.tools', 'bin', 'temporal');
    const createNamespace = async (namespace: string) => {
      await waitUntil(
        `namespace ${namespace}`,
        async () => {
          try {
            sh(cli, [
              'operator',
              'namespace',
              'create',
              '--namespace',
              namespace,
              '--retention',
              '24h',
              '--address',
              address,
            ]);
          } catch (e) {
            if (!String((e as { stderr?: string }).stderr).includes('already')) throw e;
          }
          return true;
        },
        60_000,
      );
      for (const k of SEARCH_ATTRIBUTES)
        sh(cli, [
          'operator',
          'search-attribute',
          'create',
          '--name',
          k.name,
          '--type',
          'Keyword',
          '--namespace',
          namespace,
          '--address',
          address,
        ]);
    };
    const files = ['test/e2e/onboarding.test.ts', 'test/e2e/mfa.test.ts', 'test/e2e/update-phone.test.ts'];
    // One namespace per e2e file, as each file gets its own dev server under `npm test`.
    const namespaces = files.map((f) => `e2e-${path.basename(f, '.test.ts')}`);
    for (const ns of ['default', ...(args.includes('--no-e2e') ? [] : namespaces)]) await createNamespace(ns);
    // Namespaces and search attributes reach every service through its caches.
    await new Promise((r) => setTimeout(r, 12_000));
    log(`Temporal server ${SERVER_VERSION} on PostgreSQL at ${address}`);

    if (!args.includes('--no-e2e')) {
      log('end-to-end suites on this server');
      const outcomes: string[] = [];
      for (const [k, file] of files.entries()) {
        // jest prints its summary on stderr: keep both streams, whatever the exit code.
        const run = spawnSync('npx', ['jest', '--runInBand', '--verbose', file], {
          cwd: repoRoot,
          encoding: 'utf8',
          env: {
            ...process.env,
            TEMPORAL_TEST_SERVER_ADDRESS: address,
            TEMPORAL_TEST_SERVER_NAMESPACE: namespaces[k],
          },
        });
        const text = `${run.stdout}${run.stderr}`;
        const lines = text.split('\n').map((l) => l.trim());
        const tests = lines.find((l) => l.startsWith('Tests:')) ?? 'Tests: no summary';
        const failed = lines.filter((l) => l.startsWith('✕'));
        outcomes.push(
          `\`${file}\` ${tests.replace(/\s+/g, ' ')}${failed.length ? ` — ${failed.join('; ')}` : ''}`,
        );
        log(outcomes.at(-1) ?? '');
      }
      e2e = outcomes.some((o) => /failed/.test(o))
        ? `FAILED: ${outcomes.join('; ')}`
        : `passed: ${outcomes.join('; ')}`;
    }

    const size = smoke ? { onboardings: 20, challenges: 20 } : { onboardings: 100, challenges: 100 };
    log(`kill -9 one of two workers mid-run: ${size.onboardings} + ${size.challenges}`);
    const r = await runKillScenario({
      ...size,
      name: 'postgres-worker-kill',
      parts: ['worker2'],
      downMs: 5_000,
      stack: { temporalAddress: address, workers: 2 },
      log,
    });
    r.description = 'kill -9 one of two workers (down 5 s, then restarted) with requests in flight';
    results.push(r);
    log(JSON.stringify({ ...r.tally, details: r.tally.details.slice(0, 10) }));
  } finally {
    if (temporal && temporal.exitCode === null) {
      const gone = new Promise((r) => temporal?.once('exit', r));
      temporal.kill('SIGTERM');
      await gone;
    }
    if (pgStarted) sh(path.join(pg, 'pg_ctl'), ['-D', pgData, '-m', 'fast', 'stop'], { user });
    if (process.env.CHAOS_KEEP_DATA !== '1') fs.rmSync(dir, { recursive: true, force: true });
  }
  const pgVersion = path.basename(path.dirname(pg));
  await writeSection(
    'postgres',
    [
      '## Production topology: Temporal server on PostgreSQL, two workers',
      '',
      `Run ${new Date().toISOString()} on ${machine()}, ${Math.round((Date.now() - started) / 1000)} s. ` +
        `Command: \`npx tsx scripts/chaos/postgres-topology.ts${smoke ? ' --smoke' : ''}\` (not part of \`npm test\`).`,
      '',
      `- Temporal server \`go.temporal.io/server/cmd/server@${SERVER_VERSION}\` (go install), ` +
        `PostgreSQL ${pgVersion} from Debian on a loopback port (initdb/pg_ctl as the postgres user), ` +
        `schema by \`go.temporal.io/server/cmd/tools/sql@${SERVER_VERSION}\` (create-database, setup-schema, update-schema ` +
        'for `temporal` and `temporal_visibility`), plugin postgres12, 4 history shards.',
      `- End-to-end suites against it: ${e2e}.`,
      '',
      scenarioTable(results),
    ].join('\n'),
  );
  const r = results[0];
  const bad =
    !r || r.tally.lost + r.tally.duplicated + r.tally.stuck + r.tally.hangs > 0 || e2e.startsWith('FAILED');
  log(bad ? 'FAILED: see docs/reliability.md' : 'passed');
  process.exitCode = bad ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

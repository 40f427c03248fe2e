import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, temporalCliPath } from '../setup/tools';

/**
 * `npm start` provisions `node cli` only: it must work on a machine with neither Java nor
 * Maven, reuse a recent `temporal` already on PATH, and say what is missing otherwise.
 * Each run gets its own tools dir and a PATH holding only what is named here.
 */
const BASICS = [
  'bash',
  'sed',
  'grep',
  'mkdir',
  'ln',
  'rm',
  'head',
  'dirname',
  'cat',
  'seq',
  'sleep',
  'mktemp',
];

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function sandbox(extra: Record<string, string> = {}): { tools: string; bin: string } {
  const dir = tempDir('ibmb-provision-');
  const bin = path.join(dir, 'path');
  fs.mkdirSync(bin);
  for (const tool of BASICS) {
    const which = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(which, path.join(bin, tool));
  }
  fs.symlinkSync(process.execPath, path.join(bin, 'node')); // Node 24: nothing to download
  for (const [name, target] of Object.entries(extra)) fs.symlinkSync(target, path.join(bin, name));
  return { tools: path.join(dir, 'tools'), bin };
}

function provision(box: { tools: string; bin: string }, ...parts: string[]) {
  return provisionWith(box, {}, ...parts);
}

function provisionWith(box: { tools: string; bin: string }, env: Record<string, string>, ...parts: string[]) {
  return spawnSync(path.join(box.bin, 'bash'), [path.join(repoRoot, 'scripts/provision.sh'), ...parts], {
    env: { PATH: box.bin, IBMB_TOOLS_DIR: box.tools, HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
  });
}

/** A `temporal` that reports a given release version (only its --version is asked for). */
function cliReporting(version: string): string {
  const file = path.join(tempDir('ibmb-cli-'), 'temporal');
  fs.writeFileSync(file, `#!/bin/sh\necho "temporal version ${version} (Server 1.30.0, UI 2.43.0)"\n`, {
    mode: 0o755,
  });
  return file;
}

describe('scripts/provision.sh node cli (what npm start needs)', () => {
  jest.setTimeout(60_000);

  it('needs neither Java nor Maven: the CLI on PATH is reused and no test server is fetched', () => {
    const box = sandbox({ temporal: temporalCliPath });
    const run = provision(box, 'node', 'cli');
    expect(run.stderr).toContain('[provision] using');
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(box.tools, 'bin/temporal'))).toBe(true);
    expect(fs.existsSync(path.join(box.tools, 'node/bin/node'))).toBe(true);
    expect(fs.existsSync(path.join(box.tools, 'test-server'))).toBe(false);
    expect(fs.existsSync(path.join(box.tools, 'bin/temporal-test-server'))).toBe(false);
  });

  it('accepts a newer CLI release than the one it builds', () => {
    const box = sandbox({ temporal: cliReporting('1.7.2') });
    const run = provision(box, 'cli');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('temporal version 1.7.2');
  });

  it('refuses a CLI older than 1.5 and, without Go, says what to install', () => {
    const box = sandbox({ temporal: cliReporting('1.4.0') });
    const run = provision(box, 'cli');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Temporal CLI >= 1\.5 is needed: put `temporal` on PATH, or install Go/);
  });

  it('names the missing tools when the test server is asked for without Java', () => {
    const box = sandbox();
    const run = provision(box, 'test-server');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Java 17+ is needed for the test server (npm test only)');
  });

  it('rejects an unknown part', () => {
    const run = provision(sandbox(), 'docker');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown part 'docker'");
  });
});

describe('scripts/provision.sh keycloak: the JDK it runs on is found, never assumed', () => {
  jest.setTimeout(60_000);
  const version = /^keycloak_version="([^"]+)"/m.exec(
    fs.readFileSync(path.join(repoRoot, 'scripts/provision.sh'), 'utf8'),
  )?.[1] as string;
  const buildOptions = /^keycloak_build_options=\((.*)\)$/m.exec(
    fs.readFileSync(path.join(repoRoot, 'scripts/provision/keycloak.sh'), 'utf8'),
  )?.[1] as string;
  const tool = (name: string) =>
    spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();

  /** JDK homes under one directory whose `java -version` reports the given major versions. */
  function jdks(...majors: number[]): { dir: string; home: (major: number) => string } {
    const dir = tempDir('ibmb-jvm-');
    for (const major of majors) {
      fs.mkdirSync(path.join(dir, `jdk-${major}`, 'bin'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, `jdk-${major}`, 'bin', 'java'),
        `#!/bin/sh\necho 'openjdk version "${major}.0.2" 2026-01-20' >&2\n`,
        { mode: 0o755 },
      );
    }
    return { dir, home: (major) => path.join(dir, `jdk-${major}`) };
  }

  /** A sandbox whose Keycloak is already fetched and built: only the JDK choice is left. */
  function builtKeycloak() {
    const box = sandbox({ readlink: tool('readlink'), chmod: tool('chmod'), mv: tool('mv') });
    const dist = path.join(box.tools, 'keycloak', version);
    fs.mkdirSync(path.join(dist, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'bin', 'kc.sh'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dist, '.built-for'), `${buildOptions}\n`);
    return box;
  }
  const wrapperJdk = (box: { tools: string }) =>
    /^export JAVA_HOME="(.*)"$/m.exec(fs.readFileSync(path.join(box.tools, 'bin', 'keycloak'), 'utf8'))?.[1];

  it('without a JDK >= 21 stops and names what to install', () => {
    const box = builtKeycloak();
    const { dir, home } = jdks(17);
    const run = provisionWith(box, { IBMB_JVM_DIRS: `${dir}/*`, JAVA_HOME: home(17) }, 'keycloak');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Keycloak ${version} needs a JDK >= 21 and none was found`);
    expect(run.stderr).toMatch(/apt-get install openjdk-21-jdk-headless/);
    expect(fs.existsSync(path.join(box.tools, 'bin', 'keycloak'))).toBe(false);
  });

  it('takes the newest JDK >= 21 under the JVM directories when JAVA_HOME is too old', () => {
    const box = builtKeycloak();
    const { dir, home } = jdks(17, 21, 25);
    const run = provisionWith(box, { IBMB_JVM_DIRS: `${dir}/*`, JAVA_HOME: home(17) }, 'keycloak');
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 0,
      stderr: '[provision] ready: keycloak\n',
    });
    expect(wrapperJdk(box)).toBe(home(25));
  });

  it("keeps JAVA_HOME when it is recent enough: the operator's choice", () => {
    const box = builtKeycloak();
    const { dir, home } = jdks(21, 25);
    expect(provisionWith(box, { IBMB_JVM_DIRS: `${dir}/*`, JAVA_HOME: home(21) }, 'keycloak').status).toBe(0);
    expect(wrapperJdk(box)).toBe(home(21));
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../setup/tools';

/**
 * docker-compose.yml through compose-go, the loader `docker compose` uses (built from
 * scripts/compose-check with Go, which provisioning needs anyway): Compose itself must
 * accept the file, and read it as docker-compose.test.ts's YAML checks do.
 */
interface NormalizedService {
  command?: string[] | null;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  restart?: string;
}

describe('docker-compose.yml as Compose loads it', () => {
  let dir: string;
  let checker: string;
  const load = (file: string) => spawnSync(checker, [file], { encoding: 'utf8' });

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

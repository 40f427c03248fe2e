import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../setup/tools';

/** Runs a real entry point (through tsx, as `npm run build` output would run) and collects its exit. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
      cwd: repoRoot,
      // Only what we give it: nothing from the test runner's environment leaks in.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** The processes themselves refuse an unsafe production configuration, before connecting anywhere. */
describe('production start-up', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-prod-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  // Dev keys on, outboxes, an http JWKS, a 0-byte HMAC key; no payload keys, issuer, audience, webhook.
  const bad = {
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    AUTH_DEV_KEYS: 'true',
    AUTH_JWKS_URL: 'http://idp.bank.example/jwks',
    SERVER_HMAC_KEY: '!'.repeat(44),
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  };
  const expected = [
    'SERVER_HMAC_KEY',
    'SMS_PROVIDER',
    'EMAIL_PROVIDER',
    'AUTH_DEV_KEYS',
    'AUTH_JWKS_URL',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
    'PAYLOAD_KEYS',
    'CHANNEL_WEBHOOK_URL',
  ];

  it.each(['api/main.ts', 'worker/main.ts'])(
    '%s exits non-zero listing every problem',
    async (entry) => {
      const { code, stderr } = await run(entry, bad);
      expect(code).toBe(1);
      for (const name of expected) expect(stderr).toMatch(new RegExp(`^\\s*'?${name}: `, 'm'));
      expect(stderr).toMatch(/AUTH_JWKS_URL: must be an https URL/);
      // Nothing was created under DATA_DIR: no dev key generated, no outbox opened.
      expect(fs.readdirSync(dataDir)).toEqual([]);
    },
    60_000,
  );
});

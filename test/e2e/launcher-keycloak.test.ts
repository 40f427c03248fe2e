import fs from 'node:fs';
import path from 'node:path';
import { CLIENTS, type KeycloakSecrets } from '../../scripts/launcher/keycloak';
import {
  alive,
  buildDist,
  descendants,
  freePort,
  startLauncher,
  type RunningLauncher,
} from '../helpers/launcher';

/**
 * `START_KEYCLOAK=true npm start` (or `npm start -- --keycloak`): the launcher brings up
 * Keycloak with the repository's realm before the rest, and the API and worker use it:
 * a channel backend's client-credentials token opens a user. Everything stops on SIGTERM.
 */
describe('npm start with Keycloak', () => {
  let launcher: RunningLauncher;
  let keycloakPort: number;

  beforeAll(async () => {
    buildDist();
    keycloakPort = await freePort();
    launcher = await startLauncher({
      env: {
        START_KEYCLOAK: 'true',
        KEYCLOAK_PORT: String(keycloakPort),
        KEYCLOAK_MANAGEMENT_PORT: String(await freePort()),
      },
      // A JVM and a realm import before the rest: minutes on a loaded 2-core machine.
      timeoutMs: 600_000,
    });
  }, 660_000);

  afterAll(async () => {
    await launcher?.stop();
  }, 90_000);

  it("starts Keycloak first; the API takes a channel backend's token from it and opens a user", async () => {
    const output = launcher.output();
    expect(output.indexOf('[launcher] keycloak ready')).toBeGreaterThanOrEqual(0);
    expect(output.indexOf('[launcher] keycloak ready')).toBeLessThan(output.indexOf('[launcher] api ready'));
    const secrets = JSON.parse(
      fs.readFileSync(path.join(launcher.dataDir, 'keycloak', 'client-secrets.json'), 'utf8'),
    ) as KeycloakSecrets;
    expect(fs.statSync(path.join(launcher.dataDir, 'keycloak', 'client-secrets.json')).mode & 0o077).toBe(0);
    const token = await fetch(`http://127.0.0.1:${keycloakPort}/realms/ibmb/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENTS.channel,
        client_secret: secrets.channel,
      }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const opened = await fetch(`${launcher.apiUrl}/open-user-ib`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requestId: 'launcher-kc-0001',
        customerId: '100001',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      }),
    });
    expect(opened.status).toBe(201);
    // The worker's admin client secret is in no log line.
    expect(output).not.toContain(secrets.admin);
  }, 120_000);

  it('stops Keycloak with every other child on SIGTERM and leaves no orphan', async () => {
    const children = descendants(launcher.pid);
    launcher.process.kill('SIGTERM');
    expect(await launcher.exited).toBe(0);
    expect(children.filter(alive)).toEqual([]);
  }, 90_000);
});

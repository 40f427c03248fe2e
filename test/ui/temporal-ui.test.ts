import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mintDevToken } from '../../lib/dev-keys';
import { loadConfig } from '../../config';
import { buildDist, startLauncher, type RunningLauncher } from '../helpers/launcher';
import { repoRoot } from '../setup/tools';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(repoRoot, 'test', 'artifacts');
const screenshot = path.join(artifacts, 'temporal-ui-onboarding.png');
const failureScreenshot = path.join(artifacts, 'temporal-ui-onboarding-failure.png');
const workflowId = 'onboard-100001';
const query = 'CustomerId="100001"';
/** The launcher gives the UI a capability path, /codec/k/<capability>/decode; the secret is left out of reports. */
const codecCall = (url: string) =>
  new URL(url).pathname.replace(/^\/codec\/k\/[^/]+\//, '/codec/k/<capability>/');

const waitUntil = async (what: string, probe: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/**
 * Ops inspect a run in the Temporal UI of `npm start`'s stack: found by its CustomerId
 * search attribute, with its encrypted input shown decoded by the API's remote codec.
 */
describe('Temporal UI with the remote codec', () => {
  let launcher: RunningLauncher | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-chromium-'));
  const codecCalls: { method: string; path: string; status: number | string }[] = [];

  beforeAll(async () => {
    buildDist();
    launcher = await startLauncher();
    const token = await mintDevToken(loadConfig({ DATA_DIR: launcher.dataDir }), {
      scopes: ['ib-users:write'],
    });
    const res = await fetch(`${launcher.apiUrl}/open-user-ib`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requestId: 'ui-onboard-0001',
        customerId: '100001',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      }),
    });
    expect([201, 202]).toContain(res.status);
    expect(await res.json()).toMatchObject({ processId: workflowId });
    // Visibility is eventually consistent: wait until the UI's own API lists the run, completed
    // (the worker talks to this launcher's simulator), so both its input and result are there.
    const uiApi = `${launcher.uiUrl}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
    await waitUntil(
      `${workflowId} not listed as completed by ${query}`,
      async () => {
        const body = (await (await fetch(uiApi)).json()) as {
          executions?: { execution?: { workflowId?: string }; status?: string }[];
        };
        return (body.executions ?? []).some(
          (e) => e.execution?.workflowId === workflowId && e.status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
        );
      },
      60_000,
    );

    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    page.on('response', (r) => {
      const call = codecCall(r.url());
      if (call.startsWith('/codec/'))
        codecCalls.push({ method: r.request().method(), path: call, status: r.status() });
    });
    page.on('requestfailed', (r) => {
      const call = codecCall(r.url());
      if (call.startsWith('/codec/'))
        codecCalls.push({ method: r.method(), path: call, status: r.failure()?.errorText ?? 'failed' });
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await launcher?.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }, 120_000);

  it('lists the onboarding run by CustomerId and shows its input decoded through the API codec', async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    for (const f of [screenshot, failureScreenshot]) fs.rmSync(f, { force: true });
    try {
      const ui = launcher?.uiUrl as string;
      await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
      const rows = page.getByTestId('workflows-summary-configurable-table-row');
      const row = rows.filter({ hasText: workflowId });
      await row.waitFor();
      expect(await rows.count()).toBe(1);

      await row.getByRole('link', { name: workflowId, exact: true }).click();
      await page.waitForURL(new RegExp(`/namespaces/default/workflows/${workflowId}/[0-9a-f-]+/history`));
      await page.getByTestId('workflow-id-heading').filter({ hasText: workflowId }).waitFor();

      // Input and Result are side by side, each a heading over a read-only CodeMirror textbox.
      const panel = (name: string) =>
        page
          .getByTestId('input-and-result')
          .locator('div', { has: page.getByRole('heading', { name, exact: true }) })
          .getByRole('textbox')
          .first();
      const input = panel('Input');
      // Decoded input, or the UI's banner for a codec it could not reach (then the raw payload shows).
      const codecError = page.getByText('Codec Server could not connect').filter({ visible: true });
      await input
        .filter({ hasText: '"customerId": "100001"' })
        .or(codecError)
        .first()
        .waitFor()
        .catch(() => undefined); // the assertions below say what was shown instead
      const shown = await input.innerText();
      expect(shown).toContain('"customerId": "100001"');
      expect(shown).toContain('"channel": "MOBILE"');
      // Undecoded, the UI shows the metadata in base64: "binary/encrypted" is YmluYXJ5L2VuY3J5cHRlZA==.
      expect(shown).not.toMatch(/binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA|"metadata"/);
      // The result is a payload too, decoded the same way.
      const result = await panel('Result').innerText();
      expect(result).toContain('"processId": "onboard-100001"');
      expect(result).toContain('"status": "COMPLETED"');
      expect(await codecError.count()).toBe(0);

      // The browser itself asked the API's codec (through CORS), and every call succeeded.
      expect(codecCalls).toContainEqual({
        method: 'POST',
        path: '/codec/k/<capability>/decode',
        status: 200,
      });
      expect(codecCalls.filter((c) => c.method !== 'POST' || c.status !== 200)).toEqual([]);

      await input.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshot });
    } catch (err) {
      await page.screenshot({ path: failureScreenshot, fullPage: true }).catch(() => undefined);
      throw err;
    }
  }, 180_000);
});

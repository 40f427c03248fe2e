import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { mintDevToken } from '../../lib/dev-keys';
import { loadConfig } from '../../config';
import { dashboardQueries, expandGrafanaVariables, unknownMetrics } from '../helpers/dashboards';
import { buildDist, startLauncher, type RunningLauncher } from '../helpers/launcher';
import {
  ensurePrometheus,
  eventually,
  scrapeConfigPath,
  startPrometheus,
  type RunningPrometheus,
} from '../helpers/prometheus';
import { call } from '../helpers/stack';
import { temporalCliPath } from '../setup/tools';

/**
 * Debian's real Prometheus scrapes the real API and worker (the built launcher, as
 * `npm start` runs them) with docker/prometheus's scrape config, and every Grafana
 * dashboard query is run against what it scraped.
 */
describe('Prometheus against the API and the worker', () => {
  let launcher: RunningLauncher;
  let prometheus: RunningPrometheus;
  let token: string;
  const disclosures = ['IB_TERMS', 'PRIVACY'];
  const open = (customerId: string, headers: Record<string, string> = {}) =>
    call(launcher.apiUrl, 'POST', '/open-user-ib', {
      token,
      headers,
      body: {
        requestId: `metrics-${customerId}`,
        customerId,
        channel: 'MOBILE',
        acceptedDisclosures: disclosures,
      },
    });
  const workerMetrics = async () =>
    (await fetch(`http://127.0.0.1:${launcher.ports.WORKER_METRICS_PORT}/metrics`)).text();
  const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1] ?? 0);

  beforeAll(async () => {
    buildDist();
    launcher = await startLauncher({ env: { TEMPORAL_CLI: temporalCliPath } });
    prometheus = await startPrometheus({
      api: `127.0.0.1:${launcher.ports.API_METRICS_PORT}`,
      worker: `127.0.0.1:${launcher.ports.WORKER_METRICS_PORT}`,
    });
    token = await mintDevToken(loadConfig({ DATA_DIR: launcher.dataDir }), {
      scopes: ['ib-users:write', 'processes:read'],
    });

    // One onboarding that completes, one refused (the workflow fails at its eligibility check).
    expect((await open('100001')).status).toBe(201);
    expect((await open('999999')).status).toBe(404);
    // A core-banking outage: activity attempts fail and are retried, then the run completes.
    const sim = (method: string, url: string, body?: unknown) =>
      call(launcher.simulatorUrl, method, url, { body });
    await sim('POST', '/admin/customers', {
      customerId: '300001',
      firstName: 'Metrics',
      lastName: 'Outage',
      phone: '+254700300001',
      email: 'metrics@example.com',
      products: ['SAV-300001'],
    });
    await sim('PUT', '/admin/faults', { errorRate: 1 });
    expect((await open('300001', { Prefer: 'wait=1' })).status).toBe(202);
    await eventually('a failed activity attempt', async () =>
      /^temporal_activity_execution_failed_total\{/m.test(await workerMetrics()),
    );
    await sim('DELETE', '/admin/faults');
    await eventually('the outage onboarding to complete', async () => {
      const res = await call(launcher.apiUrl, 'GET', '/processes/onboard-300001', { token });
      return res.body.status === 'COMPLETED';
    });
    // Wait for a scrape that saw all of it, then a few more so rate() windows have samples.
    await eventually('a scrape after the traffic', async () => {
      const [done] = await prometheus.query(
        'sum(ibmb_process_outcomes_total{job="worker", outcome="COMPLETED"})',
      );
      const [http] = await prometheus.query(
        'sum(http_requests_total{job="api", route="/processes/:processId"})',
      );
      return Number(done?.value[1]) === 2 && Number(http?.value[1]) >= 1;
    });
    await new Promise((r) => setTimeout(r, 5_000));
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    await launcher?.stop();
  }, 90_000);

  it('accepts docker/prometheus/prometheus.yml (promtool check config)', () => {
    const promtool = path.join(path.dirname(ensurePrometheus()), 'promtool');
    expect(execFileSync(promtool, ['check', 'config', scrapeConfigPath], { encoding: 'utf8' })).toMatch(
      /SUCCESS/,
    );
  });

  it('scrapes both jobs', async () => {
    await eventually('both targets up', async () => (await value('sum(up{job=~"api|worker"})')) === 2);
  });

  it('serves an API series: HTTP requests by route and status', async () => {
    const expr = 'http_requests_total{job="api", method="POST", route="/open-user-ib", status="201"}';
    await eventually(expr, async () => (await value(expr)) >= 1);
    expect(await value('http_requests_total{job="api", route="/open-user-ib", status="404"}')).toBe(1);
  });

  it('serves worker series: SDK workflow outcomes and the processes’ own outcome counters', async () => {
    const completed =
      'sum(ibmb_process_outcomes_total{job="worker", process_type="ONBOARD_IB_USER", outcome="COMPLETED", step="DONE"})';
    await eventually(completed, async () => (await value(completed)) === 2);
    expect(
      await value(
        'ibmb_process_outcomes_total{job="worker", process_type="ONBOARD_IB_USER", outcome="FAILED", step="CHECK_ELIGIBILITY"}',
      ),
    ).toBe(1);
    expect(
      await value('sum(temporal_workflow_completed_total{job="worker", workflow_type="OnboardIbUser"})'),
    ).toBe(2);
    expect(
      await value('sum(temporal_workflow_failed_total{job="worker", workflow_type="OnboardIbUser"})'),
    ).toBe(1);
    expect(
      await value(
        'sum(ibmb_process_step_outcomes_total{job="worker", step="CREATE_IB_USER", status="COMPLETED"})',
      ),
    ).toBe(2);
    expect(await value('sum(temporal_activity_execution_failed_total{job="worker"})')).toBeGreaterThan(0);
  });

  it('runs every dashboard query, each naming only metrics scraped from its job', async () => {
    const namesOf = async (job: string) =>
      new Set(
        (await prometheus.query(`count by (__name__) ({job="${job}"})`)).map(
          (r) => r.metric.__name__ as string,
        ),
      );
    const known = { api: await namesOf('api'), worker: await namesOf('worker') };
    expect(known.api.has('http_requests_total')).toBe(true);
    expect(known.worker.has('temporal_worker_task_slots_available')).toBe(true);
    const queries = dashboardQueries();
    expect(unknownMetrics(queries, known)).toEqual([]);
    const failed: Array<{ panel: string; error: string }> = [];
    let withData = 0;
    for (const q of queries) {
      try {
        if ((await prometheus.query(expandGrafanaVariables(q.expr))).length > 0) withData++;
      } catch (e) {
        failed.push({ panel: `${q.dashboard} / ${q.panel}`, error: (e as Error).message });
      }
    }
    expect(failed).toEqual([]);
    // Error-only panels (5xx) may well be empty after this traffic; most panels are not.
    expect(withData).toBeGreaterThan(queries.length * 0.7);
  });
});

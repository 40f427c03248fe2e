import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startApiApp } from '../helpers/api-app';
import {
  bareNames,
  dashboardQueries,
  exposedNames,
  jobsOf,
  readDashboards,
  selectors,
  unknownMetrics,
  PROMETHEUS_SERIES,
} from '../helpers/dashboards';
import { readScrapeConfig } from '../helpers/prometheus';
import { repoRoot } from '../setup/tools';

/**
 * The Prometheus scrape config and the Grafana provisioning under docker/, checked as
 * files against docker-compose.yml and against what the API really exports. The worker's
 * series (Temporal SDK and ibmb_process_*) exist only once the worker has run:
 * test/metrics/prometheus.test.ts checks those against a live worker.
 */

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
type Service = {
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  command?: string[];
};
const services = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> })
  .services;
const mounts = (name: string) =>
  (services[name]?.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
const mountOf = (name: string, source: string) => mounts(name).find((m) => m.source === source)?.target;

const datasources = parse(read('docker/grafana/provisioning/datasources/prometheus.yml')) as {
  datasources: Array<{ uid: string; type: string; url: string; isDefault?: boolean }>;
};
const providers = parse(read('docker/grafana/provisioning/dashboards/ibmb.yml')) as {
  providers: Array<{ type: string; options: { path: string } }>;
};

describe('Prometheus scrape config (docker/prometheus/prometheus.yml)', () => {
  const config = readScrapeConfig();
  const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name);

  it('scrapes the api and the worker at the ports Compose gives them', () => {
    expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(['api', 'worker']);
    expect(job('api')?.static_configs.flatMap((s) => s.targets)).toEqual([
      `api:${services.api?.environment?.API_METRICS_PORT}`,
    ]);
    expect(job('worker')?.static_configs.flatMap((s) => s.targets)).toEqual([
      `worker:${services.worker?.environment?.WORKER_METRICS_PORT}`,
    ]);
    for (const j of config.scrape_configs) expect(j.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('is the file Compose hands Prometheus', () => {
    const target = mountOf('prometheus', './docker/prometheus/prometheus.yml');
    expect(services.prometheus?.command).toContain(`--config.file=${target}`);
  });
});

describe('Grafana provisioning (docker/grafana)', () => {
  const [datasource] = datasources.datasources;

  it('points the datasource at Compose’s Prometheus', () => {
    expect(datasources.datasources).toHaveLength(1);
    expect(datasource).toMatchObject({ type: 'prometheus', isDefault: true });
    const container = Number(services.prometheus?.ports?.[0]?.split(':').at(-1));
    expect(datasource?.url).toBe(`http://prometheus:${container}`);
  });

  it('loads the dashboards from where Compose mounts them', () => {
    expect(mountOf('grafana', './docker/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: { path: mountOf('grafana', './docker/grafana/dashboards') },
      }),
    ]);
  });

  it('has dashboards for HTTP, processes and SDK worker health, each with a unique uid', () => {
    const dashboards = readDashboards();
    expect(dashboards.map((d) => d.file)).toEqual(['api-http.json', 'processes.json', 'worker-sdk.json']);
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { dashboard } of dashboards) expect(dashboard.panels.length).toBeGreaterThan(0);
  });

  it('queries only the provisioned datasource, each metric pinned to a scraped job', () => {
    const jobs = new Set(readScrapeConfig().scrape_configs.map((j) => j.job_name));
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) {
      const where = `${q.dashboard} / ${q.panel}`;
      expect({ where, datasource: q.datasource }).toEqual({ where, datasource: datasource?.uid });
      expect({ where, bare: bareNames(q.expr) }).toEqual({ where, bare: [] });
      const found = selectors(q.expr);
      expect({ where, selectors: found.length > 0 }).toEqual({ where, selectors: true });
      for (const s of found) {
        const pinned = jobsOf(s);
        expect({
          where,
          metric: s.metric,
          pinned: pinned.length > 0 && pinned.every((j) => jobs.has(j)),
        }).toEqual({
          where,
          metric: s.metric,
          pinned: true,
        });
      }
    }
  });

  it('reads HTTP rate, errors and latency by route, and process outcomes by type and step', () => {
    const exprs = dashboardQueries().map((q) => q.expr);
    const has = (re: RegExp) => exprs.some((e) => re.test(e));
    expect(has(/sum by \(route\) \(rate\(http_requests_total\{/)).toBe(true);
    expect(has(/http_requests_total\{[^}]*status=~"5\.\."/)).toBe(true);
    expect(
      has(/histogram_quantile\(0\.95, sum by \(route, le\) \(rate\(http_request_duration_seconds_bucket/),
    ).toBe(true);
    expect(has(/by \(process_type, outcome\).*ibmb_process_outcomes_total/)).toBe(true);
    expect(has(/by \(process_type, step\).*ibmb_process_outcomes_total\{[^}]*outcome="FAILED"/)).toBe(true);
    expect(has(/by \(process_type, step, status\).*ibmb_process_step_outcomes_total/)).toBe(true);
    expect(has(/temporal_worker_task_slots_available\{/)).toBe(true);
    expect(has(/temporal_workflow_task_schedule_to_start_latency_bucket\{/)).toBe(true);
  });

  it('names only metrics the API app really exports for job api', async () => {
    const api = await startApiApp();
    try {
      // Some traffic first, so the per-route series exist.
      await fetch(`${api.url}/healthz`);
      const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
      const known = exposedNames(text);
      expect(known.has('http_request_duration_seconds_bucket')).toBe(true); // the scan itself works
      const apiQueries = dashboardQueries().filter((q) =>
        selectors(q.expr).some((s) => jobsOf(s).includes('api') && !PROMETHEUS_SERIES.has(s.metric)),
      );
      expect(apiQueries.length).toBeGreaterThan(5);
      const unknown = unknownMetrics(apiQueries, { api: known });
      expect(unknown).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('flags a query naming a metric that does not exist', () => {
    const known = { api: new Set(['http_requests_total']) };
    const typo = {
      dashboard: 'd',
      panel: 'p',
      expr: 'sum(rate(http_request_total{job="api"}[5m]))',
      datasource: 'x',
    };
    expect(unknownMetrics([typo], known)).toEqual([
      { panel: 'd / p', metric: 'http_request_total', job: 'api' },
    ]);
    expect(unknownMetrics([{ ...typo, expr: 'rate(http_requests_total{job="api"}[5m])' }], known)).toEqual(
      [],
    );
    // a metric written without a selector cannot slip past the name check
    expect(bareNames('sum(rate(http_request_total[5m])) by (route)')).toEqual(['http_request_total']);
    expect(bareNames('histogram_quantile(0.95, sum by (le) (rate(x{job="api"}[1m])))')).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../setup/tools';

/** docker/grafana/dashboards/*.json, the panels' Prometheus queries read out of them. */
export const dashboardsDir = path.join(repoRoot, 'docker/grafana/dashboards');

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}
interface Panel {
  title: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: Panel[];
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
  datasource: string | undefined;
}

export function readDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return fs
    .readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(fs.readFileSync(path.join(dashboardsDir, file), 'utf8')) as Dashboard,
    }));
}

/** Every query of every panel (rows' nested panels included). */
export function dashboardQueries(): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walk = (dashboard: Dashboard, panels: Panel[]) => {
    for (const p of panels) {
      if (p.panels) walk(dashboard, p.panels);
      for (const t of p.targets ?? []) {
        out.push({
          dashboard: dashboard.title,
          panel: p.title,
          expr: t.expr ?? '',
          datasource: t.datasource?.uid ?? p.datasource?.uid,
        });
      }
    }
  };
  for (const { dashboard } of readDashboards()) walk(dashboard, dashboard.panels);
  return out;
}

/** Grafana's built-in interval variables, as Grafana would expand them for a 1 h view. */
export function expandGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__interval', '15s');
}

export interface Selector {
  metric: string;
  matchers: string;
}

/** `name{…}` selectors of a query, string literals inside the braces respected. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g;
  for (const m of expr.matchAll(re)) out.push({ metric: m[1] as string, matchers: m[2] as string });
  return out;
}

const PROMQL_WORDS = new Set([
  ...[
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'bool',
    'offset',
    'and',
    'or',
    'unless',
  ],
  ...['sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'quantile', 'stddev', 'stdvar', 'group'],
]);

/**
 * Names in a query that are neither in a `name{…}` selector nor PromQL words, function
 * calls or label lists: a bare metric name (`up`, a typo) that the selector checks
 * would otherwise not see. Every metric a dashboard reads must be written `name{job=…}`.
 */
export function bareNames(expr: string): string[] {
  const rest = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/([a-zA-Z_][a-zA-Z0-9_]*)\s*\(/g, ' (');
  return [...rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w) && !/^(e|inf|nan)$/i.test(w));
}

/** The job a selector is pinned to (`job="api"`, or each of `job=~"api|worker"`). */
export function jobsOf(s: Selector): string[] {
  const exact = /(?:^|,)\s*job\s*=\s*"([^"]+)"/.exec(s.matchers);
  if (exact) return [exact[1] as string];
  const regex = /(?:^|,)\s*job\s*=~\s*"([a-z0-9_|-]+)"/.exec(s.matchers);
  return regex ? (regex[1] as string).split('|') : [];
}

/** Metric names a Prometheus text exposition declares (# TYPE, with a histogram's series) or carries. */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') ['_bucket', '_sum', '_count'].forEach((s) => names.add(name + s));
      if (kind === 'summary') ['_sum', '_count'].forEach((s) => names.add(name + s));
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (sample) names.add(sample[1] as string);
  }
  return names;
}

/** Series Prometheus adds itself to every target. */
export const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Selectors whose metric is not in `known[job]`, for each job `known` lists (others are not checked). */
export function unknownMetrics(
  queries: DashboardQuery[],
  known: Record<string, Set<string>>,
): Array<{ panel: string; metric: string; job: string }> {
  const out: Array<{ panel: string; metric: string; job: string }> = [];
  for (const q of queries) {
    for (const s of selectors(q.expr)) {
      for (const job of jobsOf(s)) {
        if (PROMETHEUS_SERIES.has(s.metric) || !known[job]) continue;
        if (!known[job].has(s.metric))
          out.push({ panel: `${q.dashboard} / ${q.panel}`, metric: s.metric, job });
      }
    }
  }
  return out;
}

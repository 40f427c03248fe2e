import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { jaegerPath, repoRoot } from '../setup/tools';
import { freePort } from './launcher';

/** One span as Jaeger's query API (`/api/traces/{id}`) returns it, with its process's service. */
export interface JaegerSpan {
  traceId: string;
  spanId: string;
  operationName: string;
  /** The parent's span id (a CHILD_OF reference); undefined for a root. */
  parentSpanId?: string;
  service: string;
  tags: Record<string, unknown>;
}

export interface Jaeger {
  /** OTLP/HTTP base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  otlpUrl: string;
  /** The query API and UI. */
  queryUrl: string;
  /** The spans of one trace, [] while Jaeger has none. */
  trace(traceId: string): Promise<JaegerSpan[]>;
  /** Everything Jaeger logged (config errors, refused exports). */
  output(): string;
  stop(): Promise<void>;
}

interface QueryTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    references?: { refType: string; spanID: string }[];
    processID: string;
    tags?: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/**
 * The provisioned Jaeger (scripts/provision.sh part `jaeger`) with docker/jaeger/config.yaml,
 * as Compose runs its image, but on loopback and on free ports; traces in memory, gone at stop.
 */
export async function startJaeger(): Promise<Jaeger> {
  if (!fs.existsSync(jaegerPath))
    throw new Error(`${jaegerPath} is missing: run \`npm run provision\` (npm test does this first)`);
  const ports = {
    JAEGER_OTLP_HTTP_PORT: await freePort(),
    JAEGER_QUERY_PORT: await freePort(),
    JAEGER_QUERY_GRPC_PORT: await freePort(),
    JAEGER_HEALTH_PORT: await freePort(),
  };
  const proc = spawn(jaegerPath, ['--config', path.join(repoRoot, 'docker/jaeger/config.yaml')], {
    env: {
      PATH: process.env.PATH,
      JAEGER_LISTEN_HOST: '127.0.0.1',
      JAEGER_LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += String(d)));
  proc.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };

  const health = `http://127.0.0.1:${ports.JAEGER_HEALTH_PORT}/status`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(health, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      await stop();
      throw new Error(`Jaeger did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const queryUrl = `http://127.0.0.1:${ports.JAEGER_QUERY_PORT}`;
  return {
    otlpUrl: `http://127.0.0.1:${ports.JAEGER_OTLP_HTTP_PORT}`,
    queryUrl,
    output: () => output,
    stop,
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`Jaeger query ${res.status}: ${await res.text()}`);
      const { data } = (await res.json()) as { data: QueryTrace[] };
      return data.flatMap((t) =>
        t.spans.map((s) => ({
          traceId: s.traceID,
          spanId: s.spanID,
          operationName: s.operationName,
          parentSpanId: s.references?.find((r) => r.refType === 'CHILD_OF')?.spanID,
          service: t.processes[s.processID]?.serviceName ?? '',
          tags: Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])),
        })),
      );
    },
  };
}

// OpenTelemetry 1.x on purpose, with the SDK's interceptors: package.json's "//" note says until when.
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, type IResource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../config';

/**
 * OpenTelemetry tracing for one process (API or worker), from the standard OTEL_*
 * variables. Off unless an OTLP endpoint is configured: then nothing is started and
 * callers install no interceptors or spans (each takes `Tracing | undefined`).
 */
export interface Tracing {
  serviceName: string;
  tracer: Tracer;
  /** Also receives the workflow spans the worker's sink brings out of the sandbox. */
  processor: SpanProcessor;
  /** service.name and the SDK's defaults, as on the provider's own spans. */
  resource: IResource;
  /** Exports what is buffered (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  /** Flushes and stops; call on process exit. */
  shutdown(): Promise<void>;
}

export type TracingConfig = Pick<
  Config,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_SERVICE_NAME'
>;

/** The OTLP/HTTP traces URL, or undefined when tracing is off. */
export function tracesEndpoint(config: TracingConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  // The base endpoint gets the signal's path appended, as the OTLP exporter spec says.
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  }
  return undefined;
}

let propagationInstalled = false;

/**
 * Context and propagation are process-wide in the OpenTelemetry API: installed once,
 * shared by every Tracing in the process (API and worker run in one in the e2e tests).
 */
function installPropagation(): void {
  if (propagationInstalled) return;
  propagationInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Starts tracing for a process when configured. The provider is not made global:
 * spans are created only through the returned tracer, which callers pass on
 * explicitly, so two processes' worth (tests) keep their own service names.
 */
export function startTracing(
  config: TracingConfig,
  defaultServiceName: string,
  exporter?: SpanExporter,
): Tracing | undefined {
  const url = tracesEndpoint(config);
  if (!url) return undefined;
  installPropagation();
  const serviceName = config.OTEL_SERVICE_NAME ?? defaultServiceName;
  const processor = new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url }));
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': serviceName }),
    spanProcessors: [processor],
  });
  return {
    serviceName,
    tracer: provider.getTracer('ibmb-user-lifecycle'),
    processor,
    resource: provider.resource,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * With a tracer, every workflow start, update, signal and query gets a span whose context
 * travels to the workflow in its headers; without one, no interceptor at all.
 */
export function temporalClientInterceptors(tracer?: Tracer): ClientInterceptors | undefined {
  return tracer ? { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] } : undefined;
}

import type { WorkflowInfo } from '@temporalio/workflow';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../lib/tracing';

/**
 * The worker's share of tracing: an activity span per attempt (child of the workflow's
 * StartActivity span, through the activity's headers) and the sink that carries the
 * workflow sandbox's spans out to the process's exporter.
 */
export function workerTracingOptions(
  tracing: Tracing | undefined,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: tracing
        ? [
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
          ]
        : [],
    },
    sinks: workflowSpanSinks(tracing),
  };
}

/** Workflow details copied onto every workflow span: ids and names, no memo or search attributes. */
function spanInfo(info: WorkflowInfo): WorkflowInfo {
  const { workflowId, runId, workflowType, namespace, taskQueue, attempt } = info;
  return { workflowId, runId, workflowType, namespace, taskQueue, attempt } as WorkflowInfo;
}

/**
 * With tracing off the sink discards: a run still traces when a client with tracing on
 * started it (workflows/tracing-interceptors.ts), and an unregistered sink would log an
 * error on every activation.
 */
export function workflowSpanSinks(tracing: Tracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  if (!tracing) return { exporter: { export: { fn: () => undefined } } };
  const { export: exportSpans } = makeWorkflowExporter(tracing.processor, tracing.resource);
  // The SDK merges the whole WorkflowInfo into each span's attributes: memo (the request
  // digest), search attributes, last results. Only the identifying fields go.
  return {
    exporter: { export: { ...exportSpans, fn: (info, spans) => exportSpans.fn(spanInfo(info), spans) } },
  };
}

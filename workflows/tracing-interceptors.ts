/**
 * Workflow interceptors for OpenTelemetry (not a workflow). Always in the bundle, so one
 * bundle serves a worker with tracing on or off; they trace a run only once a
 * history-recorded input (start, signal, update) carries a trace context, i.e. a client
 * with tracing on started or called it. Without one (tracing off) every call passes
 * straight through: no spans, no sink calls. The decision rests on history, so a replay
 * takes the same path.
 */
import type {
  Headers,
  Next,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';

/** The header a traced client sets (the library's TRACE_HEADER; a unit test keeps them equal). */
export const TRACE_HEADER = '_tracer-data';

/**
 * OpenTelemetry, loaded by the first traced call of a run only. Imported at the top, its
 * modules were evaluated for every run (the SDK's reusable context shares none of them),
 * traced or not: a fixed cost on every workflow start.
 */
function loadOtel(): typeof OtelWorkflow {
  // The SDK's sandbox-safe module, bundled with the workflows.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow;
}

interface Otel {
  inbound: OtelWorkflow.OpenTelemetryInboundInterceptor;
  outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor;
  internals: OtelWorkflow.OpenTelemetryInternalsInterceptor;
}

type In = WorkflowInboundCallsInterceptor;
type Out = WorkflowOutboundCallsInterceptor;

export const interceptors = (): WorkflowInterceptors => {
  // Per run: this factory is called for each workflow execution.
  let otel: Otel | undefined;
  const traced = (headers: Headers): Otel | undefined => {
    if (!otel && headers[TRACE_HEADER] !== undefined) {
      const lib = loadOtel();
      otel = {
        inbound: new lib.OpenTelemetryInboundInterceptor(),
        outbound: new lib.OpenTelemetryOutboundInterceptor(),
        internals: new lib.OpenTelemetryInternalsInterceptor(),
      };
    }
    return otel;
  };

  const inbound: In = {
    execute: (input, next: Next<In, 'execute'>) =>
      traced(input.headers)?.inbound.execute(input, next) ?? next(input),
    handleSignal: (input, next: Next<In, 'handleSignal'>) =>
      traced(input.headers)?.inbound.handleSignal(input, next) ?? next(input),
    handleUpdate: (input, next: Next<In, 'handleUpdate'>) =>
      traced(input.headers)?.inbound.handleUpdate(input, next) ?? next(input),
    // Queries and update validations are not in history: they never switch tracing on.
    validateUpdate: (input, next: Next<In, 'validateUpdate'>) =>
      otel ? otel.inbound.validateUpdate(input, next) : next(input),
    handleQuery: (input, next: Next<In, 'handleQuery'>) =>
      otel ? otel.inbound.handleQuery(input, next) : next(input),
  };

  const outbound: Out = {
    scheduleActivity: (input, next: Next<Out, 'scheduleActivity'>) =>
      otel ? otel.outbound.scheduleActivity(input, next) : next(input),
    scheduleLocalActivity: (input, next: Next<Out, 'scheduleLocalActivity'>) =>
      otel ? otel.outbound.scheduleLocalActivity(input, next) : next(input),
    startChildWorkflowExecution: (input, next: Next<Out, 'startChildWorkflowExecution'>) =>
      otel ? otel.outbound.startChildWorkflowExecution(input, next) : next(input),
    continueAsNew: (input, next: Next<Out, 'continueAsNew'>) =>
      otel ? otel.outbound.continueAsNew(input, next) : next(input),
    signalWorkflow: (input, next: Next<Out, 'signalWorkflow'>) =>
      otel ? otel.outbound.signalWorkflow(input, next) : next(input),
    startNexusOperation: (input, next: Next<Out, 'startNexusOperation'>) =>
      otel ? otel.outbound.startNexusOperation(input, next) : next(input),
    getLogAttributes: (input, next: Next<Out, 'getLogAttributes'>) =>
      otel ? otel.outbound.getLogAttributes(input, next) : next(input),
  };

  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next: Next<WorkflowInternalsInterceptor, 'dispose'>) =>
      otel ? otel.internals.dispose(input, next) : next(input),
  };

  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};

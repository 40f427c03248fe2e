import { metricMeter, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { findCause } from '../lib/failure-chain';
import { stepNow } from './step-clock';
import { ProcessStep } from '../messages/search-attributes';
import { processStateQuery, type AuditEntry, type ProcessType, type StepStatus } from '../messages/process';

/**
 * Outcomes for dashboards (docker/grafana), served on the worker's metrics endpoint with
 * the SDK's own. The SDK adds namespace, task_queue and workflow_type and skips them on
 * replay, so each step and each run counts once. Labels are code-defined names only:
 * never ids, details or failure messages.
 */
const STEP_OUTCOMES = 'ibmb_process_step_outcomes';
const PROCESS_OUTCOMES = 'ibmb_process_outcomes';

/**
 * The audit trail of one run: every step with its status and time (a local step's own, see
 * step-clock.ts), answered by the
 * `processState` query (also after the run has ended, by replay).
 */
export class ProcessTrail {
  private readonly entries: AuditEntry[] = [];
  private current = 'STARTED';

  constructor(private readonly processType: ProcessType) {
    setHandler(processStateQuery, () => ({
      processType: this.processType,
      step: this.current,
      auditTrail: [...this.entries],
    }));
  }

  record(step: string, status: StepStatus, detail?: string): void {
    this.append(step, status, detail);
    if (status === 'COMPLETED' || status === 'FAILED') {
      metricMeter
        .createCounter(STEP_OUTCOMES, undefined, 'Process steps ended, by process type, step and status')
        .add(1, { process_type: this.processType, step, status });
    }
  }

  private append(step: string, status: StepStatus, detail?: string): void {
    // The UI's list shows ProcessStep; the run's page shows where it stands, as text.
    if (step !== this.current) upsertSearchAttributes([{ key: ProcessStep, value: step }]);
    this.current = step;
    this.entries.push({ step, status, at: new Date(stepNow()).toISOString(), ...(detail ? { detail } : {}) });
    setCurrentDetails(`**${step}**: ${status}${detail ? ` — ${detail}` : ''}`);
  }

  /** Runs one step, recording its start and its outcome. */
  async step<T>(name: string, run: () => Promise<T>, describe?: (result: T) => string): Promise<T> {
    this.record(name, 'STARTED');
    try {
      const result = await run();
      this.record(name, 'COMPLETED', describe?.(result));
      return result;
    } catch (err) {
      this.record(name, 'FAILED', failureCode(err));
      throw err;
    }
  }

  lastFailedStep(): string | undefined {
    return [...this.entries].reverse().find((e) => e.status === 'FAILED')?.step;
  }

  finish(status: 'COMPLETED' | 'FAILED', detail?: string): void {
    // Where a failed run stopped: its last failed step, else the step that refused it.
    const step = status === 'COMPLETED' ? 'DONE' : (this.lastFailedStep() ?? this.current);
    metricMeter
      .createCounter(PROCESS_OUTCOMES, undefined, 'Processes ended, by process type, outcome and final step')
      .add(1, { process_type: this.processType, outcome: status, step });
    // DONE/FAILED are the run's end, not a step: counted above, not as a step outcome.
    this.append(status === 'COMPLETED' ? 'DONE' : 'FAILED', status, detail);
  }
}

/** The business code (or failure type) of an error, never its payload. */
export function failureCode(err: unknown): string {
  const typed = findCause(err, (e): e is { type: string } => !!(e as { type?: unknown }).type);
  return typed?.type ?? (err as Error)?.name ?? 'Error';
}

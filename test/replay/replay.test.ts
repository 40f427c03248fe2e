import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../setup/tools';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.history.pb'));
const load = (file: string) => temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, file)));
const replay = (history: temporal.api.history.v1.IHistory, name: string) =>
  Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath } }, history, name);

/**
 * Histories recorded from real runs (test/replay/record.ts) must replay on the current
 * workflow code: a non-deterministic change fails here, before it breaks runs in flight.
 */
describe('replay of recorded histories', () => {
  it('has a history for every workflow type', () => {
    const types = files.map((f) => f.replace(/\.history\.pb$/, '')).sort();
    expect(types).toEqual([
      'MfaChallenge',
      'MfaDestinationQuota',
      'OnboardIbUser',
      'UpdateContactInfo',
      'UpdateUserPhone',
    ]);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    await replay(load(file), file);
  });

  it('replays with the OpenTelemetry workflow interceptors tracing the run', async () => {
    // The onboarding history as a client with tracing on would have started it: a trace
    // context in the start's headers switches the bundle's tracing interceptors on.
    const history = load('OnboardIbUser.history.pb');
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started) throw new Error('recorded onboarding history does not start with WorkflowExecutionStarted');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    started.header = {
      fields: {
        '_tracer-data': defaultPayloadConverter.toPayload({
          traceparent: `00-${traceId}-${callerSpanId}-01`,
        }),
      },
    };
    const spans: SerializableSpan[] = [];
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: workflowBundlePath },
        // Workflow spans leave the sandbox through this sink; a replay calls it only when asked to.
        sinks: {
          exporter: {
            export: {
              fn: (_info, batch: SerializableSpan[]) => void spans.push(...batch),
              callDuringReplay: true,
            },
          },
        },
      },
      history,
      'traced onboarding',
    );
    const run = spans.find((s) => s.name === 'RunWorkflow:OnboardIbUser');
    expect(run).toMatchObject({ spanContext: { traceId }, parentSpanId: callerSpanId });
    const activities = spans.filter((s) => s.name.startsWith('StartActivity:'));
    expect(activities.length).toBeGreaterThan(0);
    for (const a of activities)
      expect(a).toMatchObject({ spanContext: { traceId }, parentSpanId: run?.spanContext.spanId });
  });

  it('detects a non-deterministic change', async () => {
    // The onboarding history with its first activity renamed: replay must refuse it.
    const history = load('OnboardIbUser.history.pb');
    const scheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )?.activityTaskScheduledEventAttributes;
    if (!scheduled?.activityType) throw new Error('recorded onboarding history has no activity');
    scheduled.activityType.name = 'somethingElse';
    await expect(replay(history, 'tampered')).rejects.toThrow(/[Nn]ondetermin/);
  });
});

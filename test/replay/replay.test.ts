import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { coreMarkerData } from '../helpers/history';
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
    // `<Type>.history.pb` is the latest recording; `<Type>.<tag>.history.pb` are kept from
    // before a patch or record a scenario (record.ts), so older runs keep replaying.
    const types = [...new Set(files.map((f) => f.split('.')[0]))].sort();
    expect(types).toEqual([
      'ChangeUserStatus',
      'FirstTimePasswordExpiry',
      'MfaChallenge',
      'MfaDestinationQuota',
      'MfaUserOtpLock',
      'OnboardIbUser',
      'ResetUserPassword',
      'SelfRegistration',
      'UpdateContactInfo',
      'UpdateSecurityQuestions',
      'UpdateUserPhone',
    ]);
  });

  it.each([
    ['OnboardIbUser.v2.history.pb', ['sealed-first-time-password']],
    ['UpdateUserPhone.v2.history.pb', ['notify-on-acceptance']],
    ['UpdateContactInfo.v2.history.pb', ['notify-on-acceptance']],
    ['OnboardIbUser.v2-maker-checker.history.pb', ['sealed-first-time-password']],
    ['OnboardIbUser.v2-compensation.history.pb', ['sealed-first-time-password']],
    ['OnboardIbUser.v2-failed-create.history.pb', ['compensate-failed-create']],
    ['OnboardIbUser.v3-disclosures.history.pb', ['record-disclosures']],
    // record-credentials.ts: the onboarding that armed the first-time password's expiry.
    ['OnboardIbUser.v3.history.pb', ['sealed-first-time-password', 'first-time-password-expiry']],
    ['UpdateContactInfo.v2-propagation-rounds.history.pb', ['notify-on-acceptance']],
    ['UpdateContactInfo.v2-propagation-refused.history.pb', ['notify-on-acceptance']],
    // Recorded on d51e5ed (local first, sends included), before regular-sends / send-per-leg.
    ['OnboardIbUser.v4-local-first.history.pb', ['local-first-steps']],
    ['MfaChallenge.v4-local-first.history.pb', ['local-first-delivery']],
  ])('%s was recorded on the patched branches %j', (file, patches) => {
    const markers = (load(file).events ?? [])
      .map((e) => e.markerRecordedEventAttributes)
      .filter((m) => m?.markerName === 'core_patch')
      .map((m) =>
        new TextDecoder().decode(m?.details?.['patch-data']?.payloads?.[0]?.data ?? new Uint8Array()),
      );
    for (const id of patches) expect(markers.join('\n')).toContain(`"${id}"`);
  });

  it('has scenario histories that went down the paths they are named for (record-scenarios.ts)', () => {
    const events = (file: string) => load(file).events ?? [];
    const activities = (file: string) =>
      events(file)
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
    const timersFired = (file: string) => events(file).filter((e) => e.timerFiredEventAttributes).length;
    expect(activities('MfaChallenge.v2-resend.history.pb')).toContain('resendChallengeCode');
    expect(timersFired('MfaChallenge.v2-expiry.history.pb')).toBeGreaterThanOrEqual(1);
    const verifies = events('MfaChallenge.v2-lockout.history.pb').filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'verify',
    );
    expect(verifies).toHaveLength(5);
    expect(activities('OnboardIbUser.v2-maker-checker.history.pb')).toContain('getIbUserStatus');
    expect(activities('OnboardIbUser.v2-compensation.history.pb')).toContain('deactivateIbUser');
    expect(activities('OnboardIbUser.v2-failed-create.history.pb')).toContain('deactivateUserByBusinessKey');
    expect(activities('OnboardIbUser.v3-disclosures.history.pb')).toContain('recordDisclosureAcceptance');
    // A registration that went all the way: its code consumed, the user made, the password set.
    expect(activities('SelfRegistration.history.pb')).toEqual(
      expect.arrayContaining(['consumeRegistrationCode', 'createRegisteredUser', 'setRegisteredPassword']),
    );
    const rounds = activities('UpdateContactInfo.v2-propagation-rounds.history.pb');
    expect(rounds.filter((a) => a === 'propagateContactChange')).toHaveLength(2);
    expect(activities('UpdateContactInfo.v2-propagation-refused.history.pb')).toContain('sendContactNotice');
    // The expiry entity: armed by the onboarding, re-armed by the reset, stopped by a first login.
    const signals = events('FirstTimePasswordExpiry.v3.history.pb')
      .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
      .filter(Boolean);
    expect(signals).toEqual(['passwordIssued', 'passwordIssued', 'firstLogin']);
    // A destination quota's first run, ended by its continue-as-new (record-quota-rollover.ts).
    const rollover = events('MfaDestinationQuota.v2-continue-as-new.history.pb');
    expect(rollover.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(rollover.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length).toBeGreaterThan(
      1,
    );
  });

  it('keeps MfaChallenge histories from before and after the user-otp-lock patch', () => {
    const patches = (file: string) =>
      coreMarkerData(load(file))
        .filter((m) => m.marker === 'core_patch')
        .map((m) => m.id);
    expect(patches('MfaChallenge.before-user-otp-lock.history.pb')).toEqual([]);
    expect(patches('MfaChallenge.history.pb')).toEqual(['user-otp-lock']);
  });

  it("keeps a concealed challenge's decoy, recorded on the conceal patch (record-decoy.ts)", () => {
    const file = 'MfaChallenge.v3-decoy.history.pb';
    const history = load(file);
    const patches = coreMarkerData(history)
      .filter((m) => m.marker === 'core_patch')
      .map((m) => m.id);
    expect(patches).toEqual(['user-otp-lock', 'conceal-unbound-caller']);
    const activities = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    // The unknown user's look-up failed: nothing was reserved or sent, then or on resend.
    expect(activities).toContain('resolveChallengeDestinations');
    expect(activities).not.toContain('sendChallengeCode');
    expect(activities).not.toContain('resendChallengeCode');
    expect(activities).not.toContain('reserveDestinationSend');
    // Its wrong codes were counted on the user's lock, as a real challenge's are.
    expect(activities.filter((a) => a === 'recordUserOtpAttempt')).toHaveLength(5);
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

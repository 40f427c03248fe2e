import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { coreMarkerData } from '../helpers/history';
import { workflowBundlePath } from '../setup/tools';
import * as workflows from '../../workflows';
import { versioningBehaviours } from '../../workflows/versioning';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.history.pb'));
const load = (file: string) => temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, file)));
const replay = (history: temporal.api.history.v1.IHistory, name: string) =>
  Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath } }, history, name);

/** The release baseline's tag (docs/design.md, "Release baseline r1"). */
const BASELINE = 'r1';
const isBaseline = (file: string) => file.split('.')[1]?.split('-')[0] === BASELINE;
/**
 * Releases whose pinned runs may still be in flight: the baseline and the shapes recorded
 * since (docs/design.md: a pinned type's new shapes go under the next release's tag).
 */
const RELEASES = [BASELINE, 'r2'];
const isRelease = (file: string) => RELEASES.includes(file.split('.')[1]?.split('-')[0] ?? '');
const typeOf = (file: string) => file.split('.')[0] as string;
const registered = Object.entries(workflows).filter(([, fn]) => typeof fn === 'function');
const behaviourOf = (type: string) =>
  versioningBehaviours.get(registered.find(([name]) => name === type)?.[1] as never);

/**
 * Histories recorded from real runs (test/replay/record*.ts) must replay on the current
 * workflow code: a non-deterministic change fails here, before it breaks runs in flight.
 * Pinned types keep only the release baseline's histories (their runs never move to a new
 * build); auto-upgrading entities keep every history, older ones included.
 */
describe('replay of recorded histories', () => {
  it.each(registered.map(([name]) => name))(
    `%s, registered by workflows/index.ts, has a baseline (${BASELINE}) history`,
    (type) => {
      expect(files.filter((f) => typeOf(f) === type && isBaseline(f))).not.toEqual([]);
    },
  );

  it('keeps histories of registered workflow types only, and of pinned ones only from the releases', () => {
    for (const file of files) {
      const behaviour = behaviourOf(typeOf(file));
      expect([file, behaviour === 'PINNED' || behaviour === 'AUTO_UPGRADE']).toEqual([file, true]);
      if (behaviour === 'PINNED') expect([file, isRelease(file)]).toEqual([file, true]);
    }
    // The entities' histories from before the baseline stay (their runs move to new builds).
    expect(files).toEqual(
      expect.arrayContaining([
        'MfaDestinationQuota.history.pb',
        'MfaDestinationQuota.v2-continue-as-new.history.pb',
        'MfaUserOtpLock.history.pb',
        'FirstTimePasswordExpiry.v3.history.pb',
      ]),
    );
  });

  it("has no patch marker in a pinned type's baseline history: its code keeps no patched()", () => {
    for (const file of files.filter((f) => isRelease(f) && behaviourOf(typeOf(f)) === 'PINNED')) {
      const patches = coreMarkerData(load(file)).filter((m) => m.marker === 'core_patch');
      expect([file, patches]).toEqual([file, []]);
    }
  });

  it('has baseline histories that went down the paths they are named for', () => {
    const f = (type: string, scenario?: string) =>
      `${type}.${BASELINE}${scenario ? `-${scenario}` : ''}.history.pb`;
    const events = (file: string) => load(file).events ?? [];
    const activities = (file: string) =>
      events(file)
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
    const localActivities = (file: string) =>
      coreMarkerData(load(file))
        .filter((m) => m.marker === 'core_local_activity')
        .map((m) => m.activity_type);
    const updates = (file: string, name: string) =>
      events(file).filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name,
      );
    const status = (file: string) => {
      const last = events(file).at(-1);
      if (last?.workflowExecutionCompletedEventAttributes) return 'COMPLETED';
      if (last?.workflowExecutionFailedEventAttributes) return 'FAILED';
      if (last?.workflowExecutionContinuedAsNewEventAttributes) return 'CONTINUED_AS_NEW';
      return 'OPEN';
    };

    // Onboarding: happy path local first, its sends regular, the expiry armed.
    const onboard = f('OnboardIbUser');
    expect(status(onboard)).toBe('COMPLETED');
    expect(localActivities(onboard)).toEqual(expect.arrayContaining(['checkEligibility', 'createIbUser']));
    expect(activities(onboard)).toEqual(
      expect.arrayContaining(['syncUsernameToChannel', 'issueFirstTimePassword']),
    );
    expect(localActivities(f('OnboardIbUser', 'credentials'))).toContain('armPasswordExpiry');
    expect(localActivities(f('OnboardIbUser', 'disclosures'))).toContain('recordDisclosureAcceptance');
    expect(activities(f('OnboardIbUser', 'maker-checker'))).toContain('getIbUserStatus');
    expect(activities(f('OnboardIbUser', 'compensation'))).toContain('deactivateIbUser');
    expect(activities(f('OnboardIbUser', 'failed-create'))).toContain('deactivateUserByBusinessKey');
    expect(updates(f('OnboardIbUser', 'milestone'), 'userCreated')).toHaveLength(1);
    expect(activities(f('OnboardIbUser', 'phone-proof'))).toContain('consumePhoneProof');
    expect(status(f('OnboardIbUser', 'refused'))).toBe('FAILED');
    expect(localActivities(f('OnboardIbUser', 'refused'))).not.toContain('createIbUser');

    // MFA: the first code one leg per destination, then resend, lockout, expiry, refusal, offer.
    expect(activities(f('MfaChallenge', 'two-legs')).filter((a) => a === 'sendChallengeLeg')).toHaveLength(2);
    expect(activities(f('MfaChallenge', 'resend'))).toContain('resendChallengeCode');
    expect(
      events(f('MfaChallenge', 'expiry')).filter((e) => e.timerFiredEventAttributes).length,
    ).toBeGreaterThanOrEqual(1);
    expect(updates(f('MfaChallenge', 'lockout'), 'verify')).toHaveLength(5);
    expect(status(f('MfaChallenge', 'refused'))).toBe('FAILED');
    const offer = f('MfaChallenge', 'offer-then-choose');
    expect(activities(offer)).not.toContain('sendChallengeLeg');
    expect(activities(offer)).toContain('sendChallengeCode');
    expect(updates(offer, 'resend')).toHaveLength(1);
    expect(updates(f('MfaChallenge', 'consumed'), 'consume')).toHaveLength(1);
    // A concealed challenge's decoy: nothing reserved or sent, its wrong codes counted.
    const decoy = f('MfaChallenge', 'decoy');
    expect(localActivities(decoy)).toContain('resolveChallengeDestinations');
    expect([...activities(decoy), ...localActivities(decoy)]).not.toEqual(
      expect.arrayContaining(['reserveDestinationSend']),
    );
    expect(activities(decoy)).not.toContain('sendChallengeLeg');
    expect(activities(decoy).filter((a) => a === 'recordUserOtpAttempt')).toHaveLength(5);

    // Contact changes: the phone's two proofs and cooling-off; propagation rounds and a refusal.
    const phone = f('UpdateUserPhone');
    expect(activities(phone).filter((a) => a === 'consumeMfaChallenge')).toHaveLength(2);
    expect(events(phone).filter((e) => e.timerFiredEventAttributes).length).toBeGreaterThanOrEqual(1);
    const rounds = activities(f('UpdateContactInfo', 'propagation-rounds'));
    expect(rounds.filter((a) => a === 'propagateContactChange')).toHaveLength(2);
    expect(activities(f('UpdateContactInfo', 'propagation-refused'))).toContain('sendContactNotice');
    expect(status(f('ReadContactInfo', 'found'))).toBe('COMPLETED');
    expect(status(f('ReadContactInfo', 'not-found'))).toBe('COMPLETED');

    // A registration that went all the way: its code consumed, the user made, the password set.
    expect(activities(f('SelfRegistration'))).toEqual(
      expect.arrayContaining(['consumeRegistrationCode', 'createRegisteredUser', 'setRegisteredPassword']),
    );
    // The expiry entity: armed by the onboarding, re-armed by the reset, stopped by a first login.
    const signals = events(f('FirstTimePasswordExpiry', 'credentials'))
      .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
      .filter(Boolean);
    expect(signals).toEqual(['passwordIssued', 'passwordIssued', 'firstLogin']);
    // A destination quota's first run, ended by its continue-as-new (record-quota-rollover.ts).
    for (const file of [
      f('MfaDestinationQuota', 'continue-as-new'),
      'MfaDestinationQuota.v2-continue-as-new.history.pb',
    ]) {
      expect(status(file)).toBe('CONTINUED_AS_NEW');
      expect(
        events(file).filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length,
      ).toBeGreaterThan(1);
    }
  });

  it("has r2's concealed challenge counting on its caller's pre-login lock (callerDigest in the lock activities)", () => {
    const events = load('MfaChallenge.r2-decoy.history.pb').events ?? [];
    const lockInputs = events
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => ['checkUserOtpLock', 'recordUserOtpAttempt'].includes(a?.activityType?.name ?? ''))
      .map((a) =>
        defaultPayloadConverter.fromPayload<Record<string, unknown>>(a?.input?.payloads?.[0] ?? {}),
      );
    expect(lockInputs.length).toBeGreaterThan(1);
    for (const input of lockInputs)
      expect(input).toMatchObject({ prelogin: true, callerDigest: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it("has r2's onboarding shapes: a fallback after a 1 ms timer, a cancel during the create, a replayed milestone", () => {
    const events = (file: string) => load(file).events ?? [];
    const kinds = (file: string) =>
      events(file).map((e) =>
        e.timerStartedEventAttributes
          ? 'timer'
          : e.workflowExecutionCancelRequestedEventAttributes
            ? 'cancel'
            : (e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''),
      );
    // Core banking down past the local attempts: a timer (the next task's clock counts the
    // attempts' time), then the same step again as a regular activity.
    const fallback = kinds('OnboardIbUser.r2-fallback.history.pb');
    expect(fallback.indexOf('timer')).toBeGreaterThanOrEqual(0);
    expect(fallback.indexOf('checkEligibility')).toBeGreaterThan(fallback.indexOf('timer'));
    expect(
      events('OnboardIbUser.r2-fallback.history.pb').at(-1)?.workflowExecutionCompletedEventAttributes,
    ).toBeTruthy();
    // The cancel came while the regular create was on its way; the user it made is deactivated.
    const cancelled = kinds('OnboardIbUser.r2-cancel-in-create.history.pb');
    expect(cancelled.indexOf('cancel')).toBeGreaterThan(cancelled.indexOf('createIbUser'));
    expect(cancelled.indexOf('deactivateIbUser')).toBeGreaterThan(cancelled.indexOf('cancel'));
    expect(cancelled).not.toContain('issueFirstTimePassword');
    // The same Early Return request twice: the run answered its milestone Update twice.
    const updates = events('OnboardIbUser.r2-milestone-replayed.history.pb').filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'userCreated',
    );
    expect(updates).toHaveLength(2);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    await replay(load(file), file);
  });

  it('replays with the OpenTelemetry workflow interceptors tracing the run', async () => {
    // The onboarding history as a client with tracing on would have started it: a trace
    // context in the start's headers switches the bundle's tracing interceptors on.
    const history = load('OnboardIbUser.r1.history.pb');
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
    const history = load('OnboardIbUser.r1.history.pb');
    const scheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )?.activityTaskScheduledEventAttributes;
    if (!scheduled?.activityType) throw new Error('recorded onboarding history has no activity');
    scheduled.activityType.name = 'somethingElse';
    await expect(replay(history, 'tampered')).rejects.toThrow(/[Nn]ondetermin/);
  });
});

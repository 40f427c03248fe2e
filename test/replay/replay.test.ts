import fs from 'node:fs';
import path from 'node:path';
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
    // `<Type>.history.pb`, or `<Type>.<tag>.history.pb` for a later recording (record.ts).
    const types = [...new Set(files.map((f) => f.split('.')[0]))].sort();
    expect(types).toEqual([
      'MfaChallenge',
      'MfaDestinationQuota',
      'OnboardIbUser',
      'UpdateContactInfo',
      'UpdateUserPhone',
    ]);
  });

  it.each([
    ['OnboardIbUser.v2.history.pb', ['sealed-first-time-password']],
    ['UpdateUserPhone.v2.history.pb', ['notify-on-acceptance']],
    ['UpdateContactInfo.v2.history.pb', ['notify-on-acceptance']],
  ])('%s was recorded on the patched branches %j', (file, patches) => {
    const markers = (load(file).events ?? [])
      .map((e) => e.markerRecordedEventAttributes)
      .filter((m) => m?.markerName === 'core_patch')
      .map((m) =>
        new TextDecoder().decode(m?.details?.['patch-data']?.payloads?.[0]?.data ?? new Uint8Array()),
      );
    for (const id of patches) expect(markers.join('\n')).toContain(`"${id}"`);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    await replay(load(file), file);
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

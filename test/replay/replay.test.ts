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
    // `<Type>.history.pb` is the current shape; `<Type>.<variant>.history.pb` keeps an older one.
    const types = [...new Set(files.map((f) => f.replace(/(\.[a-z0-9-]+)?\.history\.pb$/, '')))].sort();
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

import type { ScenarioResult } from '../../scripts/chaos/kill';
import { runFaultScenarios } from '../../scripts/chaos/faults';
import { setHangMs } from '../../scripts/chaos/load';
import { buildDist } from '../helpers/launcher';

/**
 * The CI smoke of `npm run test:chaos`'s brownout rows, a representative subset: the SMS
 * gateway answering after 6 s, the SMTP server after 6 s and core banking after 4.9 s (each
 * inside its adapter's timeout; core banking at 3 s runs in the full `npm run test:chaos`),
 * while 10 onboardings, 10 ONBOARDING challenges, 2 LOGIN challenges (SMS and email), 2
 * phone changes and 2 password resets run. Counted where the gateway, the SMTP server and
 * the webhook receivers got the messages: nothing lost, nothing received twice (the same
 * content again counts as a duplicate here).
 */
jest.setTimeout(1_200_000);

const ROWS = ['brownout-sms-6s', 'brownout-smtp-6s', 'brownout-core-4.9s'];

describe('chaos smoke: brownouts', () => {
  let results: ScenarioResult[];

  beforeAll(async () => {
    buildDist();
    setHangMs(30_000);
    results = await runFaultScenarios({
      smoke: true,
      brownoutsOnly: true,
      names: ROWS,
      log: () => undefined,
    });
  });

  it('runs the brownout rows of the smoke', () => {
    expect(results.map((r) => r.name)).toEqual(ROWS);
  });

  it.each(ROWS)('%s: every accepted request completes, none lost, nothing received twice', (name) => {
    const t = (results.find((r) => r.name === name) as ScenarioResult).tally;
    // 10 onboardings + 12 challenges + 2 phone changes + 2 password resets.
    expect(t.accepted).toBe(26);
    expect(t.completed).toBe(t.accepted);
    expect({ lost: t.lost, duplicated: t.duplicated, redelivered: t.redelivered, stuck: t.stuck }).toEqual({
      lost: 0,
      duplicated: 0,
      redelivered: 0,
      stuck: 0,
    });
    expect(t.received?.sms).toBeGreaterThanOrEqual(20);
    // The LOGIN challenges' email leg reached the SMTP server.
    expect(t.received?.email).toBeGreaterThanOrEqual(2);
  });
});

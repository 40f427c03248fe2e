import type { ScenarioResult } from '../../scripts/chaos/kill';
import { runFaultScenarios } from '../../scripts/chaos/faults';
import { setHangMs } from '../../scripts/chaos/load';
import { buildDist } from '../helpers/launcher';

/**
 * The CI smoke of `npm run test:chaos`'s brownout rows: the SMS gateway answering after
 * 6 s, core banking after 3 s and after 4.9 s (each inside its adapter's timeout), while
 * 10 onboardings and 10 MFA challenges run (SMTP at 6 s: test/e2e/brownouts.test.ts). Counted where the
 * gateway, the SMTP server and the webhook receivers got the messages: nothing lost,
 * nothing received twice (the same content again counts as a duplicate here).
 */
jest.setTimeout(900_000);

describe('chaos smoke: brownouts', () => {
  let results: ScenarioResult[];

  beforeAll(async () => {
    buildDist();
    setHangMs(30_000);
    results = await runFaultScenarios({ smoke: true, brownoutsOnly: true, log: () => undefined });
  });

  it('runs every brownout row', () => {
    expect(results.map((r) => r.name)).toEqual(['brownout-sms-6s', 'brownout-core-3s', 'brownout-core-4.9s']);
  });

  it.each(['brownout-sms-6s', 'brownout-core-3s', 'brownout-core-4.9s'])(
    '%s: every accepted request completes, none lost, nothing received twice',
    (name) => {
      const t = (results.find((r) => r.name === name) as ScenarioResult).tally;
      expect(t.accepted).toBe(20);
      expect(t.completed).toBe(t.accepted);
      expect({ lost: t.lost, duplicated: t.duplicated, redelivered: t.redelivered, stuck: t.stuck }).toEqual({
        lost: 0,
        duplicated: 0,
        redelivered: 0,
        stuck: 0,
      });
      expect(t.received?.sms).toBeGreaterThanOrEqual(20);
    },
  );
});

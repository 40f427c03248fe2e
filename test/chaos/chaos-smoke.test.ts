import { runKillScenario, type ScenarioResult } from '../../scripts/chaos/kill';
import { setHangMs } from '../../scripts/chaos/load';
import { buildDist } from '../helpers/launcher';

/**
 * The CI smoke of `npm run test:chaos`: 20 onboardings, 20 MFA challenges (5 resent),
 * 3 LOGIN challenges (to a registered phone and email),
 * 4 phone changes (UPDATE_PHONE challenge, verify, POST /update-user-ib consuming it) and
 * 3 contact-info changes in flight while the worker (right when the SMS gateway has a code
 * and holds its answer), the API and the Temporal dev server are each `kill -9`ed and
 * restarted, then one completed onboarding is reset by `temporal workflow reset`. Every
 * accepted request completes exactly once, counted where the SMS gateway, the SMTP server
 * and the webhook receivers got the messages, and nothing hangs. The full size is
 * `npm run test:chaos`.
 */
jest.setTimeout(240_000);

describe('chaos smoke: process kills', () => {
  let result: ScenarioResult;

  beforeAll(async () => {
    buildDist();
    // A request unanswered after 30 s is a hang here; `npm run test:chaos` reports answers
    // slower than 15 s (see docs/reliability.md), which a loaded CI machine can produce.
    setHangMs(30_000);
    result = await runKillScenario({
      onboardings: 20,
      challenges: 20,
      resends: 5,
      logins: 3,
      phoneChanges: 4,
      contactChanges: 3,
    });
  });

  it('kills and restarts the worker, the API and the Temporal server', () => {
    expect(result.events.map((e) => e.part)).toEqual(['worker', 'api', 'temporal']);
  });

  it('completes every accepted request exactly once, with nothing stuck', () => {
    const t = result.tally;
    expect(t.details.filter((d) => !d.startsWith('hang:'))).toEqual([]);
    expect(t.accepted).toBe(50);
    expect({ lost: t.lost, duplicated: t.duplicated, stuck: t.stuck }).toEqual({
      lost: 0,
      duplicated: 0,
      stuck: 0,
    });
    expect(t.completed).toBe(t.accepted);
  });

  it('counts every message where it was received, and sees the code re-sent after the mid-send kill', () => {
    const t = result.tally;
    // Onboarding passwords, codes (5 resent, 3 LOGIN), phone-change codes and notices;
    // LOGIN codes and phone- and contact-change notices by email; username and
    // contact-change webhooks.
    expect(t.received?.sms).toBeGreaterThanOrEqual(20 + 20 + 5 + 3 + 4 + 4 * 2);
    expect(t.received?.email).toBeGreaterThanOrEqual(3 + 4 + 3);
    expect(t.received?.webhooks).toBeGreaterThanOrEqual(20 + 4);
    // The worker died after the gateway took a code and before the activity heard back:
    // the retry sends that same code again (Kannel has no message id to drop it by), and
    // the receiving side sees it; a new code instead would be counted as duplicated.
    expect(result.heldRedeliveries).toBeGreaterThanOrEqual(2);
    // Every create is retried under its Idempotency-Key: no run was started that no accepted
    // request accounts for (a lost answer's retry names the same challenge).
    expect(t.orphanRuns).toBe(0);
    expect(t.redelivered).toBeGreaterThanOrEqual(1);
    // The ops reset re-ran the onboarding: its password SMS went out again (counted apart),
    // with the same password (derived per onboarding and user), never a second one.
    const rp = t.resetPasswords ?? { same: 0, different: 0 };
    expect(rp.same).toBeGreaterThanOrEqual(1);
    expect(rp.different).toBe(0);
  });

  it('answers during the outages with 503 problem+json or a refused connection, never a hang', () => {
    expect(result.tally.details.filter((d) => d.startsWith('hang:'))).toEqual([]);
    expect(result.tally.hangs).toBe(0);
    expect(result.tally.notProblemJson).toBe(0);
    expect(result.tally.otherErrors).toBe(0);
  });
});

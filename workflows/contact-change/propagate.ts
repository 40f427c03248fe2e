import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  setCurrentDetails,
  sleep,
} from '@temporalio/workflow';
import { failureCode, type ProcessTrail } from '../process-trail';

// Waits between rounds for a system that stays down; a day of outage is ~30 rounds.
const ROUND_DELAYS_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000];
export const PROPAGATION_DEADLINE_MS = 24 * 3_600_000;

/**
 * Delivers to every linked system in parallel, each on its own: a system that stays
 * down is retried round after round (shown in the audit trail and current details)
 * without holding back the others. Resolves when all have acknowledged.
 */
export async function propagateToAll(
  trail: ProcessTrail,
  systems: string[],
  deliver: (system: string) => Promise<void>,
): Promise<string[]> {
  const pending = new Set(systems);
  const show = () =>
    setCurrentDetails(
      pending.size
        ? `**PROPAGATE**: waiting for ${[...pending].join(', ')}`
        : '**PROPAGATE**: all acknowledged',
    );
  show();
  const started = Date.now(); // workflow time
  await Promise.all(
    systems.map(async (system) => {
      const step = `PROPAGATE:${system}`;
      trail.record(step, 'STARTED');
      for (let round = 0; ; round++) {
        try {
          await deliver(system);
          trail.record(step, 'COMPLETED', round ? `after ${round + 1} rounds` : undefined);
          pending.delete(system);
          show();
          return;
        } catch (err) {
          if (isCancellation(err)) {
            trail.record(step, 'FAILED', failureCode(err));
            throw err;
          }
          if (definitelyRejected(err)) {
            trail.record(step, 'FAILED', failureCode(err));
            // The documented refusal (502 PROPAGATION_FAILED), with the system's own reason.
            throw ApplicationFailure.create({
              type: 'PROPAGATION_FAILED',
              message: `${system} refused the change (${failureCode(err)})`,
              nonRetryable: true,
              details: [{ system, reason: failureCode(err) }],
              cause: err as Error,
            });
          }
          const delay = ROUND_DELAYS_MS[Math.min(round, ROUND_DELAYS_MS.length - 1)] as number;
          if (Date.now() - started + delay > PROPAGATION_DEADLINE_MS) {
            trail.record(step, 'FAILED', `down for over ${PROPAGATION_DEADLINE_MS / 3_600_000} h`);
            throw ApplicationFailure.create({
              type: 'PROPAGATION_FAILED',
              message: `${system} did not acknowledge within ${PROPAGATION_DEADLINE_MS / 3_600_000} h`,
              nonRetryable: true,
              details: [{ system }],
            });
          }
          trail.record(
            step,
            'WAITING',
            `round ${round + 1} failed (${failureCode(err)}); next in ${delay / 1000} s`,
          );
          show();
          await sleep(delay);
        }
      }
    }),
  );
  return systems;
}

function definitelyRejected(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.nonRetryable === true
  );
}

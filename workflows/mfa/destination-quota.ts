import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  makeContinueAsNewFunc,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  quotaStateQuery,
  reserveSendUpdate,
  type DestinationQuotaInput,
  type QuotaSend,
  type QuotaState,
  type ReserveSendArgs,
} from '../../messages/mfa-quota';
import { DAY_MS, prune, quotaVerdict, sendCounts } from './quota-window';

const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/**
 * The send quota of one destination (id mfa-quota-<digest>), shared by all challenges.
 * Sends are timed by this workflow's clock, so reservations from many challenges are
 * ordered on one timeline. A refused reservation is rejected by the validator and writes
 * no history. The run keeps only the last day of sends, continues as new when its history
 * grows, and completes after a day without sends (nothing is left to remember).
 */
export async function MfaDestinationQuota(input: DestinationQuotaInput): Promise<QuotaState> {
  let sends: QuotaSend[] = prune(input.sends ?? [], Date.now());
  let reservations = 0;
  /** Where the next run goes: the queue the latest reservation names, else this run's. */
  let home = workflowInfo().taskQueue;

  setHandler(
    reserveSendUpdate,
    (args: ReserveSendArgs) => {
      const now = Date.now();
      if (args.taskQueue) home = args.taskQueue;
      sends = prune(sends, now);
      // A retried reservation (same ref) is answered again, not counted again.
      if (!sends.some((s) => s.ref === args.ref)) sends.push({ at: now, ref: args.ref });
      reservations++;
      const after = quotaVerdict(sends, now, args.policy);
      return {
        reserved: true as const,
        ...sendCounts(sends, now, args.policy.windowMinutes),
        ...(!after.allowed && { fullForSeconds: after.retryAfterSeconds }),
      };
    },
    {
      validator: (args: ReserveSendArgs) => {
        const now = Date.now();
        if (sends.some((s) => s.ref === args.ref && s.at > now - DAY_MS)) return;
        const verdict = quotaVerdict(sends, now, args.policy);
        if (verdict.allowed) return;
        throw ApplicationFailure.create({
          type: 'DESTINATION_RATE_LIMITED',
          message: `Too many codes were sent to this destination; retry in ${verdict.retryAfterSeconds} s.`,
          nonRetryable: true,
          details: [
            {
              limit: verdict.limit,
              retryAfterSeconds: verdict.retryAfterSeconds,
              sendsInWindow: verdict.sendsInWindow,
              sendsToday: verdict.sendsToday,
            },
          ],
        });
      },
    },
  );
  setHandler(quotaStateQuery, () => stateOf(sends, Date.now()));

  for (;;) {
    const seen = reservations;
    const last = sends.reduce((max, s) => Math.max(max, s.at), 0);
    const idleUntil = (last || Date.now()) + DAY_MS;
    await condition(() => reservations !== seen, Math.max(1_000, idleUntil - Date.now()));
    sends = prune(sends, Date.now());
    if (sends.length === 0 && reservations === seen) {
      await condition(allHandlersFinished);
      return stateOf(sends, Date.now());
    }
    if (historyTooLong(input)) {
      await condition(allHandlersFinished);
      return makeContinueAsNewFunc<typeof MfaDestinationQuota>({ taskQueue: home })({ ...input, sends });
    }
  }
}

function historyTooLong(input: DestinationQuotaInput): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historyLength > (input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS)
  );
}

function stateOf(sends: QuotaSend[], nowMs: number): QuotaState {
  const inDay = prune(sends, nowMs);
  const last = inDay.reduce((max, s) => Math.max(max, s.at), 0);
  return { sendsInLastDay: inDay.length, lastSendAt: last ? new Date(last).toISOString() : null };
}

import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type {
  Delivery,
  MfaChallengeActivities,
  ResolvedDestinations,
  SendCodeInput,
} from '../../activities/mfa-proof-types';
import type { MfaUserLockActivities } from '../../activities/mfa-user-lock';
import {
  awaitInitialDeliveryUpdate,
  cancelUpdate,
  consumeUpdate,
  mfaStateQuery,
  resendUpdate,
  securityKeyMatchesQuery,
  verifyUpdate,
  type MfaChallengeInput,
  type MfaCode,
  type MfaState,
  type ResendArgs,
  type VerifyArgs,
  isConcealed,
  isPrelogin,
} from '../../messages/mfa';
import type { UserOtpLockView } from '../../messages/mfa-user-lock';
import type { QuotaBudget } from '../../messages/mfa-quota';
import { findCause } from '../../lib/failure-chain';
import { failureCode, ProcessTrail } from '../process-trail';
import {
  deliveryOptions,
  lookupOptions,
  entityUpdateOptions,
  untilExpiry,
  userLockOptions,
} from '../activity-options';
import { localFirst } from '../local-first';
import { stepNow } from '../step-clock';
import {
  ChallengeState,
  CHOICE_NOT_OFFERED,
  choiceOffered,
  secondsUntil,
  selectionOf,
  type Refusal,
} from './state';

/**
 * Pre-login codes (bound to no user) count against a destination's pre-login budget, apart
 * from the codes its user needs.
 */
const quotaBudget = (input: MfaChallengeInput): QuotaBudget =>
  isPrelogin(input) || isConcealed(input) ? 'PRELOGIN' : 'USER';

/** The pre-login lock a concealed challenge counts on: its caller's (an activity argument only). */
const preloginLock = ({ callerDigest }: MfaChallengeInput) => ({
  prelogin: true,
  ...(callerDigest !== undefined && { callerDigest }),
});

/**
 * After EXPIRED, LOCKED or CANCELLED the run stays open this long past the expiry, so a
 * code typed as it expires is refused by the validators (with counters, no history)
 * rather than by the API's fallback for ended runs.
 */
export const LATE_CALL_GRACE_MS = 60_000;

/** Failures of the first send that the caller must see as they are (404, 422, 429). */
const PASSED_THROUGH = new Set<string>([
  'DESTINATION_RATE_LIMITED',
  'USER_NOT_FOUND',
  'USER_NOT_ACTIVE',
  'NO_REGISTERED_CONTACT',
  'USER_OTP_LOCKED',
  // A choice naming a contact the challenge does not have.
  'DESTINATION_NOT_ALLOWED',
]);

/**
 * One OTP challenge (docs/design.md, "MFA policy"): resolve destinations → reserve the destinations'
 * quota → send the code; expiry is a durable timer; verify, resend, cancel and consume
 * are Updates whose validators refuse without writing history. The run holds digests
 * and sealed blobs only, and ends with its final state (queryable afterwards).
 */
export async function MfaChallenge(input: MfaChallengeInput): Promise<MfaState> {
  const trail = new ProcessTrail('MFA_CHALLENGE');
  const state = new ChallengeState(input, workflowInfo().workflowId, stepNow());
  // Only a challenge bound to a user counts (a pre-login code to a typed phone has none).
  const { userId } = input;
  // A caller not bound to the user (messages/mfa.ts isConcealed): every failure to send is a decoy.
  const conceal = isConcealed(input);
  registerHandlers(state, trail, userId, conceal);
  trail.record(
    'CREATE',
    'COMPLETED',
    `purpose=${input.purpose}${input.userId ? ` userId=${input.userId}` : ''}`,
  );
  void expireOnTime(state, trail);

  await deliverFirstCode(state, trail, userId, conceal);
  await condition(() => state.isSettled());
  await holdOpen(state);
  await condition(allHandlersFinished);

  const final = state.view(stepNow());
  if (final.status === 'FAILED') {
    trail.finish('FAILED', final.failureCode ?? undefined);
    rejectIf(state.initialRefusal(stepNow()));
  }
  trail.finish('COMPLETED', final.status);
  return final;
}

function registerHandlers(
  state: ChallengeState,
  trail: ProcessTrail,
  userId: string | undefined,
  conceal: boolean,
): void {
  const now = () => stepNow();
  setHandler(mfaStateQuery, () => state.view(now()));
  setHandler(securityKeyMatchesQuery, (digest: string) => state.keyMatches(digest));

  setHandler(awaitInitialDeliveryUpdate, async () => {
    await condition(() => state.status !== 'SENDING');
    rejectIf(state.initialRefusal(now()));
    return state.view(now());
  });

  setHandler(
    verifyUpdate,
    userId !== undefined
      ? verifyCountingUser(state, trail, userId, conceal)
      : (args) => {
          // Synchronous: the attempt is counted in the same task that checks it.
          const refusal = state.verify(args.otpDigest, now());
          trail.record('VERIFY', refusal ? 'FAILED' : 'COMPLETED', refusal?.code);
          rejectIf(refusal);
          return state.view(now());
        },
    { validator: (args) => rejectIf(state.verifyRefusal(args, now())) },
  );

  setHandler(
    resendUpdate,
    (args) =>
      state.isDecoy()
        ? resendDecoy(state, trail)
        : state.status === 'OFFERED'
          ? sendAfterOffer(state, trail, args)
          : resend(state, trail, conceal, args),
    {
      validator: (args) => rejectIf(state.resendRefusal(args, now())),
    },
  );

  setHandler(
    cancelUpdate,
    () => {
      state.cancel();
      trail.record('CANCEL', 'COMPLETED');
      return state.view(now());
    },
    { validator: (args) => rejectIf(state.cancelRefusal(args, now())) },
  );

  setHandler(
    consumeUpdate,
    (args) => {
      state.consume(args.consumerProcessId, now());
      trail.record('CONSUME', 'COMPLETED', `by ${args.consumerProcessId}`);
      return {
        consumed: true as const,
        serviceKey: state.input.serviceKey,
        consumedAt: new Date(now()).toISOString(),
      };
    },
    { validator: (args) => rejectIf(state.consumeRefusal(args, now())) },
  );
}

/**
 * Verify of a user-bound challenge. The attempt is recorded on the user's MfaUserOtpLock
 * (an activity sending an Update to the entity) before the challenge changes and before
 * the answer leaves: a wrong code is counted durably or not answered at all (the activity
 * is retried until the code expires; a retried record counts once, by its ref).
 * While the user is locked the entity refuses right and wrong codes alike, so the answer
 * says nothing about the code and the challenge spends no attempt. Verifies of one
 * challenge run one at a time, so each is counted in order against its state.
 */
function verifyCountingUser(state: ChallengeState, trail: ProcessTrail, userId: string, conceal: boolean) {
  let busy = false;
  let verifies = 0;
  return async (args: VerifyArgs): Promise<MfaState> => {
    await condition(() => !busy);
    busy = true;
    try {
      // It may have changed while this verify waited its turn.
      rejectIf(state.statusRefusal(stepNow()));
      const ref = `${state.processId}.verify-${++verifies}`;
      const correct = state.codeMatches(args.otpDigest);
      let user: UserOtpLockView;
      try {
        // Concealed: on this caller's pre-login lock of the user, so a caller not bound to
        // the user cannot lock it out of its own codes, nor other callers out of theirs.
        user = await userLockActivities(state).recordUserOtpAttempt({
          userId,
          ref,
          correct,
          ...(conceal && preloginLock(state.input)),
        });
      } catch (err) {
        const locked = userLockedIn(err, state);
        trail.record('VERIFY', 'FAILED', locked ? locked.code : failureCode(err));
        // Concealed: a locked user's challenge answers as a wrong code does (attempt
        // counted), as a decoy of an unknown user would.
        if (locked && conceal) rejectIf(state.failAttempt(stepNow()));
        // Not recorded (only once the code expired): never verified nor counted unrecorded.
        rejectIf(locked ?? state.statusRefusal(stepNow()));
        throw err;
      }
      const refusal = state.verify(args.otpDigest, stepNow());
      // The wrong code that locked the user says so at once (unless concealed).
      const answer =
        refusal && user.lockedUntil && !conceal
          ? lockedRefusal(state, Date.parse(user.lockedUntil))
          : refusal;
      trail.record('VERIFY', answer ? 'FAILED' : 'COMPLETED', answer?.code);
      rejectIf(answer);
      return state.view(stepNow());
    } finally {
      busy = false;
    }
  };
}

/** USER_OTP_LOCKED with the challenge's counters and the wait until the user's lock ends. */
function lockedRefusal(state: ChallengeState, lockedUntilMs: number): Refusal {
  return {
    code: 'USER_OTP_LOCKED',
    message: 'Too many wrong codes for this user: codes are refused for now.',
    details: {
      ...state.counters(stepNow()),
      lockedUntil: new Date(lockedUntilMs).toISOString(),
      retryAfterSeconds: secondsUntil(lockedUntilMs, stepNow()),
    },
  };
}

/** The user's entity refused the record because the user is locked. */
function userLockedIn(err: unknown, state: ChallengeState): Refusal | null {
  const failure = applicationFailureIn(err);
  if (failure?.type !== 'USER_OTP_LOCKED') return null;
  const { lockedUntil } = (failure.details?.[0] ?? {}) as { lockedUntil?: string };
  const at = lockedUntil ? Date.parse(lockedUntil) : NaN;
  return lockedRefusal(state, Number.isFinite(at) ? at : stepNow() + 1000);
}

/**
 * Per-user lock activities, bounded by validity. Regular, not local, activities: a local
 * one would hold this run's workflow task (and its worker slot) open while it waits for a
 * workflow task of the user's entity on the same workers, which under load can starve.
 */
function userLockActivities(state: ChallengeState) {
  return proxyActivities<MfaUserLockActivities>(untilExpiry(userLockOptions, state.remainingMs(stepNow())));
}

/**
 * The look-up and the quota reservation, bounded by the challenge's remaining validity: local
 * first (workflows/local-first.ts), inside the workflow task, so the first code goes out
 * without a trip through the server for each.
 */
function localActivities(base: ActivityOptions, state: ChallengeState) {
  return localFirst<MfaChallengeActivities>(() => untilExpiry(base, state.remainingMs(stepNow())));
}

/**
 * The sends, bounded likewise: regular activities, recorded as soon as they complete, so a
 * send slower than a local limit or a workflow task failing after it never sends again.
 */
function sendActivities(state: ChallengeState) {
  return proxyActivities<MfaChallengeActivities>(untilExpiry(deliveryOptions, state.remainingMs(stepNow())));
}

/** Send `sendNumber`'s reservation on the destinations' quotas (keyed by it: a retry counts once). */
function reserveSend(state: ChallengeState, trail: ProcessTrail, sendNumber: number, digests: string[]) {
  return trail.step('RESERVE_DESTINATION_QUOTA', () =>
    localActivities(entityUpdateOptions, state).reserveDestinationSend({
      ref: `${state.processId}.send-${sendNumber}`,
      destinationDigests: digests,
      budget: quotaBudget(state.input),
    }),
  );
}

async function deliverFirstCode(
  state: ChallengeState,
  trail: ProcessTrail,
  userId: string | undefined,
  conceal: boolean,
): Promise<void> {
  const { input } = state;
  try {
    if (userId !== undefined) {
      // Before anything is looked up or sent: a locked user gets no code at all.
      await trail.step('CHECK_USER_OTP_LOCK', async () => {
        // Concealed: either the user's lock or this caller's pre-login lock of the user stops the code.
        const lock = await userLockActivities(state).checkUserOtpLock({
          userId,
          ...(conceal && preloginLock(state.input)),
        });
        const until = lock.lockedUntil ? Date.parse(lock.lockedUntil) : 0;
        if (until > stepNow()) throw asFailure(lockedRefusal(state, until));
      });
    }
    const destinations = await trail.step(
      'RESOLVE_DESTINATIONS',
      () =>
        localActivities(lookupOptions, state).resolveChallengeDestinations({
          serviceKey: input.serviceKey,
          purpose: input.purpose,
          userId: input.userId,
          ...(input.customerId !== undefined && { customerId: input.customerId }),
          phone: input.phone,
          email: input.email,
        }),
      (d) => `${d.phone.length} phone, ${d.email.length} email`,
    );
    // Offer, then send (Infinity's DISPLAY_ALL): nothing goes out until a resend names the chosen contacts.
    if (input.offerOnly) {
      state.markOffered(destinations);
      trail.record(
        'OFFER',
        'COMPLETED',
        `${destinations.phone.length} phone, ${destinations.email.length} email`,
      );
      return;
    }
    // A choice on the create (referenceIds from an earlier answer): only those contacts.
    if (!choiceOffered(destinations, input.choice)) throw asFailure(CHOICE_NOT_OFFERED);
    const selected = selectionOf(destinations, input.choice);
    state.recordChoice(input.choice);
    const reserved = await reserveSend(state, trail, 0, selected.to);
    const send: SendCodeInput = {
      serviceKey: input.serviceKey,
      purpose: input.purpose,
      sealedDestinations: destinations.sealed,
      skipDigests: [...selected.skip, ...(reserved.overQuota ?? [])],
      codeLength: input.policy.codeLength,
      expiresAt: new Date(state.expiresAtMs).toISOString(),
    };
    await sendPerLeg(state, trail, destinations, send);
  } catch (err) {
    const refusal = deliveryRefusal(err);
    if (!conceal) return state.markFailed(refusal);
    // The caller sees a challenge like any other; only the trail (ops) says why nothing went out.
    trail.record('DECOY', 'COMPLETED', refusal.code);
    state.markDecoy();
  }
}

/**
 * The first code, one regular activity per destination (at most one phone and one email),
 * so a leg down (SMTP unreachable) never holds the challenge unverifiable while the SMS with
 * the code has arrived: the first leg out makes the challenge PENDING; the others go on
 * retrying (within the code's validity) and their outcome shows in the state. Fails (the
 * first leg's failure) only when no leg got the code out.
 */
async function sendPerLeg(
  state: ChallengeState,
  trail: ProcessTrail,
  destinations: ResolvedDestinations,
  send: SendCodeInput,
): Promise<void> {
  const skip = send.skipDigests ?? [];
  const legs: Delivery['channel'][] = [
    ...(destinations.phone.some((c) => !skip.includes(c.digest)) ? (['SMS'] as const) : []),
    ...(destinations.email.some((c) => !skip.includes(c.digest)) ? (['EMAIL'] as const) : []),
  ];
  if (legs.length === 0) {
    throw asFailure({
      code: 'OTP_DELIVERY_FAILED',
      message: 'No destination to send the code to.',
      details: {},
    });
  }
  const leg = sendActivities(state);
  const failures: unknown[] = [];
  state.beginLegs(legs);
  for (const channel of legs) {
    void leg.sendChallengeLeg({ ...send, channel }).then(
      (sent) => {
        state.endLeg(channel, 'SENT');
        trail.record('SEND_CODE', 'COMPLETED', channels(sent.deliveries));
        state.markSent(destinations, sent, stepNow());
      },
      (err: unknown) => {
        state.endLeg(channel, 'FAILED');
        failures.push(err);
        trail.record('SEND_CODE', 'FAILED', `${channel} ${failureCode(err)}`);
      },
    );
  }
  await condition(() => state.status !== 'SENDING' || state.legsEnded());
  if (state.status === 'SENDING') throw failures[0];
}

/**
 * Re-delivers the same, still valid code; the cooldown counts from this attempt. A
 * concealed challenge's failed resend answers as one that went out (its trail says why).
 */
async function resend(
  state: ChallengeState,
  trail: ProcessTrail,
  conceal: boolean,
  args: ResendArgs,
): Promise<MfaState> {
  const sealed = state.sealed();
  if (!sealed) throw asFailure(state.statusRefusal(stepNow()) ?? NOT_SENT);
  const sendNumber = state.beginResend(stepNow());
  // The caller's choice of contacts (absent: all).
  const selected = state.selection(args.choice);
  try {
    const reserved = await reserveSend(state, trail, sendNumber, selected.to);
    await trail.step(
      'RESEND_CODE',
      () =>
        sendActivities(state).resendChallengeCode({
          serviceKey: state.input.serviceKey,
          purpose: state.input.purpose,
          sealedDestinations: sealed.destinations,
          sealedCode: sealed.code,
          skipDigests: [...selected.skip, ...(reserved.overQuota ?? [])],
          expiresAt: new Date(state.expiresAtMs).toISOString(),
          sendNumber,
        }),
      (r) => `#${sendNumber} ${channels(r.deliveries)}`,
    );
    // The cooldown counts from when the code went out again.
    state.endResend(true, stepNow());
    state.recordChoice(args.choice);
  } catch (err) {
    state.endResend(conceal, stepNow());
    const refusal = deliveryRefusal(err);
    if (conceal) trail.record('DECOY', 'COMPLETED', refusal.code);
    else rejectIf({ ...refusal, details: { ...refusal.details, ...state.counters(stepNow()) } });
  }
  // It may have expired (or been verified) while the message was going out.
  rejectIf(state.statusRefusal(stepNow()));
  return state.view(stepNow());
}

/**
 * The first code of an OFFERED challenge, to the contacts the caller chose: no resend is
 * spent, and the resend clock starts here. A refused send leaves it OFFERED (say so, try again).
 */
async function sendAfterOffer(
  state: ChallengeState,
  trail: ProcessTrail,
  args: ResendArgs,
): Promise<MfaState> {
  const sealedDestinations = state.sealedDestinations();
  if (!sealedDestinations) throw asFailure(NOT_SENT);
  const sendNumber = state.beginResend(stepNow());
  const selected = state.selection(args.choice);
  try {
    const reserved = await reserveSend(state, trail, sendNumber, selected.to);
    const sent = await trail.step(
      'SEND_CODE',
      () =>
        // A regular activity, as every send: never overlapping itself.
        sendActivities(state).sendChallengeCode({
          serviceKey: state.input.serviceKey,
          purpose: state.input.purpose,
          sealedDestinations,
          skipDigests: [...selected.skip, ...(reserved.overQuota ?? [])],
          codeLength: state.input.policy.codeLength,
          expiresAt: new Date(state.expiresAtMs).toISOString(),
        }),
      (s) => channels(s.deliveries),
    );
    state.endResend(false);
    state.markSentAfterOffer(sent, stepNow());
    state.recordChoice(args.choice);
  } catch (err) {
    state.endResend(false);
    const refusal = deliveryRefusal(err);
    rejectIf({ ...refusal, details: { ...refusal.details, ...state.counters(stepNow()) } });
  }
  rejectIf(state.statusRefusal(stepNow()));
  return state.view(stepNow());
}

/** Resend of a concealed decoy: nothing goes out; it answers as a resend that went out. */
function resendDecoy(state: ChallengeState, trail: ProcessTrail): MfaState {
  state.beginResend(stepNow());
  state.endResend(true, stepNow());
  trail.record('RESEND_CODE', 'COMPLETED', 'decoy');
  rejectIf(state.statusRefusal(stepNow()));
  return state.view(stepNow());
}

async function expireOnTime(state: ChallengeState, trail: ProcessTrail): Promise<void> {
  await sleep(Math.max(1, state.expiresAtMs - stepNow()));
  if (state.expire()) trail.record('EXPIRE', 'COMPLETED');
}

/**
 * VERIFIED waits to be consumed (up to the consume window); EXPIRED, LOCKED and
 * CANCELLED wait out the late-call grace; CONSUMED and FAILED end at once.
 */
async function holdOpen(state: ChallengeState): Promise<void> {
  if (state.status === 'VERIFIED') {
    await condition(() => state.status !== 'VERIFIED', state.policy.consumeWindowSeconds * 1000);
  }
  if (state.status !== 'EXPIRED' && state.status !== 'LOCKED' && state.status !== 'CANCELLED') return;
  const until = state.expiresAtMs + LATE_CALL_GRACE_MS;
  if (until > stepNow()) await sleep(until - stepNow());
}

/** Why a send did not happen: business refusals pass through, anything else is a delivery failure. */
function deliveryRefusal(err: unknown): Refusal {
  const failure = applicationFailureIn(err);
  if (failure?.type && PASSED_THROUGH.has(failure.type)) {
    return {
      code: failure.type as MfaCode,
      message: failure.message,
      details: (failure.details?.[0] ?? {}) as Record<string, unknown>,
    };
  }
  return {
    code: 'OTP_DELIVERY_FAILED',
    message: 'The code could not be delivered.',
    details: { reason: failureCode(err) },
  };
}

function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  return findCause(err, (e): e is ApplicationFailure => e instanceof ApplicationFailure);
}

function channels(deliveries: Delivery[]): string {
  return deliveries.map((d) => `${d.channel} ${d.referenceId} via ${d.provider}`).join(', ');
}

const NOT_SENT: Refusal = {
  code: 'OTP_NOT_SENT',
  message: 'No code was sent for this challenge.',
  details: {},
};

/** Refusals leave handlers and validators as non-retryable failures typed by their code. */
function asFailure(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: refusal.code,
    message: refusal.message,
    nonRetryable: true,
    details: [refusal.details],
  });
}

function rejectIf(refusal: Refusal | null): void {
  if (refusal) throw asFailure(refusal);
}

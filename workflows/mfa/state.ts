import type { ContactRef, ResolvedDestinations, SentCode } from '../../activities/mfa-proof-types';
import {
  MAX_OTP_TTL_SECONDS,
  MFA_TYPE,
  REFUSAL_BY_STATUS,
  type ConsumeArgs,
  type DestinationChoice,
  type KeyProof,
  type MfaBinding,
  type MfaChallengeInput,
  type MfaCode,
  type MfaCounters,
  type MfaState,
  type MfaStatus,
  type ResendArgs,
  type LegView,
  type VerifyArgs,
  isConcealed,
} from '../../messages/mfa';
import { constantTimeEqual } from '../../rules/constant-time';
import {
  bindingMismatch,
  consumeRefusalCode,
  statusRefusalCode,
  type ChallengeFacts,
} from '../../rules/mfa-proof';

/** A refusal as data: the workflow throws it as an ApplicationFailure typed by `code`. */
export interface Refusal {
  code: MfaCode;
  message: string;
  details: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The keyed digests of every destination (quota keys). */
export function digestsOf(destinations: ResolvedDestinations | null): string[] {
  return destinations ? [...destinations.phone, ...destinations.email].map((c) => c.digest) : [];
}

/** Validity in seconds: the configured TTL, never above the 10-minute cap. */
export function effectiveTtlSeconds(ttlSeconds: number): number {
  return Math.max(1, Math.min(ttlSeconds, MAX_OTP_TTL_SECONDS));
}

/** Whole seconds until `atMs`, at least 1 (for Retry-After). */
export function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}

/** Where a send goes: the digests it reserves and sends to, and those it skips. */
export interface Selection {
  to: string[];
  skip: string[];
}

const hasChoice = (choice: DestinationChoice | undefined): choice is DestinationChoice =>
  !!choice && (choice.phone !== undefined || choice.email !== undefined);

/**
 * The contacts `choice` names, by referenceId (absent or empty: every contact). A channel
 * the choice leaves out gets nothing.
 */
export function selectionOf(
  destinations: ResolvedDestinations | null,
  choice: DestinationChoice | undefined,
): Selection {
  const picked = (kind: 'phone' | 'email') =>
    (destinations?.[kind] ?? []).filter((c) => !hasChoice(choice) || choice[kind] === c.referenceId);
  const to = [...picked('phone'), ...picked('email')].map((c) => c.digest);
  return { to, skip: digestsOf(destinations).filter((d) => !to.includes(d)) };
}

/** Whether every referenceId of `choice` is one of the contacts offered. */
export function choiceOffered(
  destinations: ResolvedDestinations | null,
  choice: DestinationChoice | undefined,
): boolean {
  const offered = (kind: 'phone' | 'email', id: string | undefined) =>
    id === undefined || (destinations?.[kind] ?? []).some((c) => c.referenceId === id);
  return !choice || (offered('phone', choice.phone) && offered('email', choice.email));
}

export const CHOICE_NOT_OFFERED: Refusal = {
  code: 'DESTINATION_NOT_ALLOWED',
  message: 'The referenceId names no contact this challenge offered.',
  details: {},
};

/**
 * One challenge's state and every decision on it, as pure code: the workflow feeds it
 * workflow time and turns refusals into failures. Holds digests and sealed blobs, and
 * shows neither (view()).
 */
export class ChallengeState {
  status: MfaStatus = 'SENDING';
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  private failedAttempts = 0;
  private resendsUsed = 0;
  /** Every send attempt (initial and resends), for unique reservation refs. */
  private sendAttempts = 0;
  private lastSendAtMs: number;
  private resendInFlight = false;
  private codeDigest: string | null = null;
  private sealedCode: string | null = null;
  /** The first send's legs, when it went per destination. */
  private legs: LegView[] | null = null;
  private destinations: ResolvedDestinations | null = null;
  private verifiedAtMs: number | null = null;
  private consumedAtMs: number | null = null;
  private consumedBy: string | null = null;
  private failure: Refusal | null = null;
  /** A concealed challenge whose code could not go out: PENDING, but no code matches. */
  private decoy = false;
  /** The contacts the latest send went to (null: all, or nothing sent yet). */
  private chosen: DestinationChoice | null = null;

  constructor(
    readonly input: MfaChallengeInput,
    readonly processId: string,
    nowMs: number,
  ) {
    this.createdAtMs = nowMs;
    this.lastSendAtMs = nowMs;
    this.expiresAtMs = nowMs + effectiveTtlSeconds(input.policy.ttlSeconds) * 1000;
  }

  get policy() {
    return this.input.policy;
  }

  /** PENDING turns EXPIRED by the clock even before the timer's task has run. */
  statusAt(nowMs: number): MfaStatus {
    const open = this.status === 'PENDING' || this.status === 'OFFERED';
    return open && nowMs >= this.expiresAtMs ? 'EXPIRED' : this.status;
  }

  /** Final for verify/resend purposes: the main loop waits for this. */
  isSettled(): boolean {
    return this.status !== 'SENDING' && this.status !== 'PENDING' && this.status !== 'OFFERED';
  }

  remainingMs(nowMs: number): number {
    return this.expiresAtMs - nowMs;
  }

  counters(nowMs: number): MfaCounters {
    const at = this.statusAt(nowMs);
    // Concealed: PENDING from creation. A decoy (lookup failed fast) would otherwise leave
    // SENDING sooner than a real send, and a poll would tell real users from unknown ones.
    // Only what queries and answers show: no state nor command changes.
    const status = at === 'SENDING' && isConcealed(this.input) ? 'PENDING' : at;
    return {
      status,
      expiresAt: iso(this.expiresAtMs),
      remainingVerifyAttempts: Math.max(0, this.policy.maxVerifyAttempts - this.failedAttempts),
      remainingResendAttempts: Math.max(0, this.policy.maxResends - this.resendsUsed),
      resendAvailableAt: this.resendAvailableAtMs(nowMs, status) === null ? null : iso(this.nextResendMs()),
    };
  }

  view(nowMs: number): MfaState {
    const contact = (c: ContactRef) => ({ masked: c.masked, referenceId: c.referenceId });
    return {
      processId: this.processId,
      serviceKey: this.input.serviceKey,
      purpose: this.input.purpose,
      userId: this.input.userId ?? null,
      mfaType: MFA_TYPE,
      codeLength: this.policy.codeLength,
      createdAt: iso(this.createdAtMs),
      maxVerifyAttempts: this.policy.maxVerifyAttempts,
      maxResendRequestsAllowed: this.policy.maxResends,
      ...this.counters(nowMs),
      // A concealed challenge never says where its code went: a decoy has nowhere to show.
      customerCommunication: isConcealed(this.input)
        ? { phone: [], email: [] }
        : {
            phone: (this.destinations?.phone ?? []).map(contact),
            email: (this.destinations?.email ?? []).map(contact),
          },
      deliveryMode: this.input.offerOnly ? 'OFFER_THEN_CHOOSE' : 'SEND_AT_ONCE',
      sentTo: this.sentTo(),
      verifiedAt: this.verifiedAtMs === null ? null : iso(this.verifiedAtMs),
      consumedAt: this.consumedAtMs === null ? null : iso(this.consumedAtMs),
      consumedBy: this.consumedBy,
      failureCode: this.failure?.code ?? null,
      ...(this.legs && !isConcealed(this.input) && { deliveries: this.legs.map((l) => ({ ...l })) }),
    };
  }

  keyMatches(securityKeyDigest: unknown): boolean {
    return (
      typeof securityKeyDigest === 'string' &&
      constantTimeEqual(securityKeyDigest, this.input.securityKeyDigest)
    );
  }

  // ---- refusals (validators: no side effects) ----

  verifyRefusal(args: VerifyArgs, nowMs: number): Refusal | null {
    const refusal =
      this.keyRefusal(args) ?? this.bindingRefusal(args?.expect, false) ?? this.statusRefusal(nowMs);
    if (refusal) return refusal;
    // A malformed candidate digest is refused without costing an attempt.
    return typeof args.otpDigest === 'string' ? null : this.refuse('OTP_INVALID', nowMs);
  }

  resendRefusal(args: ResendArgs, nowMs: number): Refusal | null {
    const refusal =
      this.keyRefusal(args) ?? this.bindingRefusal(args?.expect, false) ?? this.choiceRefusal(args?.choice);
    if (refusal) return refusal;
    // OFFERED: this is the first send, to the contacts the caller chose (no resend spent).
    if (this.statusAt(nowMs) === 'OFFERED')
      return this.resendInFlight ? this.refuse('RESEND_TOO_SOON', nowMs) : null;
    const closed = this.statusRefusal(nowMs);
    if (closed) return closed;
    if (this.resendsUsed >= this.policy.maxResends) {
      // Retry-After: no resend is possible before this code expires; a new challenge is the way on.
      return this.refuse('RESEND_LIMIT_REACHED', nowMs, `All ${this.policy.maxResends} resends were used.`, {
        retryAfterSeconds: secondsUntil(this.expiresAtMs, nowMs),
      });
    }
    const next = this.resendAvailableAtMs(nowMs);
    if (next === null) {
      return this.refuse('OTP_EXPIRED', nowMs, 'The code expires before another one could be sent.');
    }
    if (this.resendInFlight || next > nowMs) {
      const retryAfterSeconds = secondsUntil(Math.max(next, nowMs + 1), nowMs);
      return this.refuse('RESEND_TOO_SOON', nowMs, `Wait ${retryAfterSeconds} s before asking again.`, {
        retryAfterSeconds,
      });
    }
    return null;
  }

  cancelRefusal(args: KeyProof, nowMs: number): Refusal | null {
    const refusal = this.keyRefusal(args) ?? this.bindingRefusal(args?.expect, false);
    if (refusal) return refusal;
    const status = this.statusAt(nowMs);
    if (status === 'SENDING' || status === 'OFFERED' || status === 'PENDING' || status === 'VERIFIED')
      return null;
    return this.refuse(REFUSAL_BY_STATUS[status], nowMs);
  }

  consumeRefusal(args: ConsumeArgs, nowMs: number): Refusal | null {
    const code = consumeRefusalCode(this.facts(), args);
    if (code === 'ALREADY_CONSUMED') return this.refuse(code, nowMs, 'The verification was already used.');
    if (code === 'CHALLENGE_NOT_VERIFIED') {
      return this.refuse(code, nowMs, `The challenge is ${this.statusAt(nowMs)}.`);
    }
    return code && this.mismatch();
  }

  /** Refusal for a challenge that is not PENDING (or PENDING past its expiry). */
  statusRefusal(nowMs: number): Refusal | null {
    const code = statusRefusalCode(this.statusAt(nowMs));
    return code && this.refuse(code, nowMs);
  }

  /** What the create call answers: nothing to refuse once a code went out. */
  initialRefusal(nowMs: number): Refusal | null {
    if (this.codeDigest !== null || this.statusAt(nowMs) === 'OFFERED') return null;
    if (this.status === 'FAILED' && this.failure) {
      return { ...this.failure, details: { ...this.failure.details, ...this.counters(nowMs) } };
    }
    return this.statusRefusal(nowMs);
  }

  // ---- transitions (handlers and the main flow) ----

  /** The first code is out: PENDING, unless it expired or was cancelled meanwhile. */
  markSent(destinations: ResolvedDestinations, sent: SentCode, nowMs: number): void {
    this.destinations = destinations;
    if (this.status !== 'SENDING') return;
    this.codeDigest = sent.codeDigest;
    this.sealedCode = sent.sealedCode;
    // Concealed: the resend clock runs from creation, as a decoy's does (markDecoy), so
    // resendAvailableAt does not tell how long the lookup and send took.
    if (!isConcealed(this.input)) this.lastSendAtMs = nowMs;
    this.status = 'PENDING';
  }

  /** Offer, then send: the contacts are known and shown; nothing was sent. */
  markOffered(destinations: ResolvedDestinations): void {
    this.destinations = destinations;
    if (this.status === 'SENDING') this.status = 'OFFERED';
  }

  /** The first code after an offer went out to the chosen contacts. */
  markSentAfterOffer(sent: SentCode, nowMs: number): void {
    if (this.status !== 'OFFERED') return;
    this.codeDigest = sent.codeDigest;
    this.sealedCode = sent.sealedCode;
    this.lastSendAtMs = nowMs;
    this.status = 'PENDING';
  }

  /** Digests of the contacts a send goes to, and of those it skips, for `choice` (absent: all). */
  selection(choice: DestinationChoice | undefined): Selection {
    return selectionOf(this.destinations, choice);
  }

  /** Records which contacts the latest send went to (the answer's `sentTo`). */
  recordChoice(choice: DestinationChoice | undefined): void {
    this.chosen = hasChoice(choice) ? choice : null;
  }

  /** A choice naming a referenceId this challenge did not offer; concealed ones show none, so accept any. */
  choiceRefusal(choice: DestinationChoice | undefined): Refusal | null {
    if (isConcealed(this.input) || choiceOffered(this.destinations, choice)) return null;
    return CHOICE_NOT_OFFERED;
  }

  private sentTo(): { phone: string[]; email: string[] } {
    if (isConcealed(this.input) || this.codeDigest === null || !this.destinations)
      return { phone: [], email: [] };
    const choice = this.chosen;
    const ids = (kind: 'phone' | 'email') =>
      this.destinations![kind].map((c) => c.referenceId).filter((id) => !choice || choice[kind] === id);
    return { phone: ids('phone'), email: ids('email') };
  }

  /** The first send starts, one leg per destination. */
  beginLegs(channels: LegView['channel'][]): void {
    this.legs = channels.map((channel) => ({ channel, status: 'SENDING' }));
  }

  /** A leg ended: SENT or FAILED. */
  endLeg(channel: LegView['channel'], status: 'SENT' | 'FAILED'): void {
    const leg = this.legs?.find((l) => l.channel === channel);
    if (leg) leg.status = status;
  }

  legsEnded(): boolean {
    return !!this.legs && this.legs.every((l) => l.status !== 'SENDING');
  }

  /**
   * A concealed challenge whose first code did not go out: it answers as if it had
   * (PENDING, same counters and clock), sends nothing, and every code is wrong.
   */
  markDecoy(): void {
    if (this.status !== 'SENDING') return;
    this.decoy = true;
    this.status = 'PENDING';
  }

  isDecoy(): boolean {
    return this.decoy;
  }

  /**
   * A verify that must fail whatever the code (a concealed challenge of a user whose codes
   * are locked): counted and answered exactly as a wrong code.
   */
  failAttempt(nowMs: number): Refusal | null {
    return this.statusRefusal(nowMs) ?? this.wrongCode(nowMs);
  }

  markFailed(failure: Refusal): void {
    if (this.status !== 'SENDING') return;
    this.failure = failure;
    this.status = 'FAILED';
  }

  /** The expiry timer fired: true when that changed the status. */
  expire(): boolean {
    if (this.status !== 'SENDING' && this.status !== 'PENDING' && this.status !== 'OFFERED') return false;
    this.status = 'EXPIRED';
    return true;
  }

  /** Whether a candidate digest is the code's (constant-time); changes nothing. */
  codeMatches(otpDigest: string): boolean {
    return this.codeDigest !== null && constantTimeEqual(otpDigest, this.codeDigest);
  }

  /** A candidate digest: null when right (VERIFIED), else the refusal (attempt counted). */
  verify(otpDigest: string, nowMs: number): Refusal | null {
    const refusal = this.statusRefusal(nowMs);
    if (refusal) return refusal;
    if (this.codeMatches(otpDigest)) {
      this.status = 'VERIFIED';
      this.verifiedAtMs = nowMs;
      return null;
    }
    return this.wrongCode(nowMs);
  }

  private wrongCode(nowMs: number): Refusal {
    this.failedAttempts++;
    if (this.failedAttempts >= this.policy.maxVerifyAttempts) {
      this.status = 'LOCKED';
      return this.refuse('MAX_ATTEMPTS_EXCEEDED', nowMs, 'Too many wrong codes: the challenge is locked.');
    }
    const remaining = this.policy.maxVerifyAttempts - this.failedAttempts;
    return this.refuse('OTP_INVALID', nowMs, `The code is not correct; ${remaining} attempt(s) left.`);
  }

  /**
   * Starts a resend: the cooldown runs from the attempt, also if it fails, and from when the
   * code went out once it did (endResend). Returns its ref number.
   */
  beginResend(nowMs: number): number {
    this.resendInFlight = true;
    this.lastSendAtMs = nowMs;
    return ++this.sendAttempts;
  }

  endResend(sent: boolean, nowMs?: number): void {
    this.resendInFlight = false;
    if (!sent) return;
    this.resendsUsed++;
    // Concealed: from the attempt, as a decoy's, so the clock does not tell how long the send took.
    if (nowMs !== undefined && !isConcealed(this.input)) this.lastSendAtMs = nowMs;
  }

  cancel(): void {
    this.status = 'CANCELLED';
  }

  consume(consumerProcessId: string, nowMs: number): void {
    this.status = 'CONSUMED';
    this.consumedAtMs = nowMs;
    this.consumedBy = consumerProcessId;
  }

  destinationDigests(): string[] {
    return digestsOf(this.destinations);
  }

  /** The sealed contacts, once looked up (an OFFERED challenge has no code yet). */
  sealedDestinations(): string | null {
    return this.destinations?.sealed ?? null;
  }

  sealed(): { destinations: string; code: string } | null {
    if (!this.destinations || this.sealedCode === null) return null;
    return { destinations: this.destinations.sealed, code: this.sealedCode };
  }

  // ---- helpers ----

  private nextResendMs(): number {
    return this.lastSendAtMs + this.policy.resendCooldownSeconds * 1000;
  }

  /** When a resend is possible next; null when none is (not PENDING, budget spent, or past expiry). */
  private resendAvailableAtMs(nowMs: number, status = this.statusAt(nowMs)): number | null {
    if (status !== 'PENDING' || this.resendsUsed >= this.policy.maxResends) return null;
    const next = this.nextResendMs();
    return next >= this.expiresAtMs ? null : next;
  }

  private keyRefusal(args: { securityKeyDigest?: unknown } | undefined): Refusal | null {
    if (this.keyMatches(args?.securityKeyDigest)) return null;
    // No counters: a caller without the key learns nothing about the challenge.
    return {
      code: 'SECURITY_KEY_INVALID',
      message: 'The securityKey does not match this challenge.',
      details: {},
    };
  }

  /**
   * The caller's expectations against the challenge. `strictUser`: a user-bound challenge
   * is only for that user (consume); otherwise an absent userId means "any".
   */
  private bindingRefusal(expect: MfaBinding | undefined, strictUser: boolean): Refusal | null {
    return expect && bindingMismatch(this.facts(), expect, strictUser) ? this.mismatch() : null;
  }

  private mismatch(): Refusal {
    return {
      code: 'CHALLENGE_MISMATCH',
      message: 'The challenge was made for another purpose, user or destination.',
      details: {},
    };
  }

  private facts(): ChallengeFacts {
    return {
      status: this.status,
      purpose: this.input.purpose,
      userId: this.input.userId,
      phoneDigests: (this.destinations?.phone ?? []).map((p) => p.digest),
    };
  }

  private refuse(
    code: MfaCode,
    nowMs: number,
    message?: string,
    extra: Record<string, unknown> = {},
  ): Refusal {
    return {
      code,
      message: message ?? DEFAULT_MESSAGES[code],
      details: { ...this.counters(nowMs), ...extra },
    };
  }
}

const DEFAULT_MESSAGES: Record<MfaCode, string> = {
  SECURITY_KEY_INVALID: 'The securityKey does not match this challenge.',
  OTP_INVALID: 'The code is not correct.',
  MAX_ATTEMPTS_EXCEEDED: 'Too many wrong codes: the challenge is locked.',
  OTP_EXPIRED: 'The code has expired; start a new challenge.',
  OTP_NOT_SENT: 'No code was sent for this challenge.',
  ALREADY_VERIFIED: 'The challenge is already verified.',
  CHALLENGE_CANCELLED: 'The challenge was cancelled.',
  CHALLENGE_NOT_VERIFIED: 'The challenge is not verified.',
  ALREADY_CONSUMED: 'The verification was already used.',
  CHALLENGE_MISMATCH: 'The challenge was made for another purpose, user or destination.',
  RESEND_TOO_SOON: 'Too soon to send another code.',
  RESEND_LIMIT_REACHED: 'No resends left.',
  DESTINATION_RATE_LIMITED: 'Too many codes were sent to this destination; try later.',
  OTP_DELIVERY_FAILED: 'The code could not be delivered.',
  USER_NOT_FOUND: 'The user does not exist.',
  USER_NOT_ACTIVE: 'The user is not active.',
  NO_REGISTERED_CONTACT: 'The user has no registered phone or email.',
  DESTINATION_NOT_ALLOWED: 'Codes cannot be sent to this number.',
  USER_OTP_LOCKED: 'Too many wrong codes for this user: codes are refused for now.',
};

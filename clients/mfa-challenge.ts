import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../config';
import { mfaPolicy } from '../config/mfa-policy';
import { canonicalPhone, phoneRefusal } from '../rules/phone';
import {
  destinationDigest,
  idempotentChallengeKeys,
  newSecurityKey,
  otpDigest,
  securityKeyDigest,
} from '../lib/mfa-crypto';
import {
  awaitInitialDeliveryUpdate,
  cancelUpdate,
  consumeUpdate,
  isPrelogin,
  MFA_CHALLENGE_WORKFLOW,
  mfaProcessId,
  mfaStateQuery,
  resendUpdate,
  securityKeyMatchesQuery,
  verifyUpdate,
  type MfaBinding,
  type DestinationChoice,
  type MfaChallengeInput,
  type MfaPurpose,
  type MfaState,
  type MfaStatus,
} from '../messages/mfa';
import { MfaPurpose as MfaPurposeAttribute, ProcessType } from '../messages/search-attributes';
import { statusRefusalCode } from '../rules/mfa-proof';
import { canonicalJson } from '../lib/canonical-json';
import { hmacHex } from '../lib/server-key';
import { assertSameBody, withStartBudget, type StarterMemo } from './process-start';
import {
  preloginCallerDigest,
  reserveCallerSend,
  reserveUserNewDestination,
  type PreloginCaller,
} from './quota';
import { BudgetExceeded, withinBudget } from './budget';
import { isBusinessCode } from '../messages/failures';
import { Refusal, updateRefusal } from './refusal';
import { isTemporalUnavailable } from './temporal';

const SERVICE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Verify, resend and cancel answer within this, or fail as outcome-unknown (the Update may still complete). */
const UPDATE_BUDGET_MS = 15_000;
const QUERY_BUDGET_MS = 2_000;
/** After a start past its deadline: does the run exist? Short, as Temporal may be down. */
const EXISTS_BUDGET_MS = 1_000;

export interface MfaServiceDeps {
  client: Client;
  config: Config;
  serverKey: Buffer;
}

export interface CreateChallenge {
  purpose: MfaPurpose;
  phone?: string;
  email?: string;
  userId?: string;
  /** Only these contacts, by the referenceIds an earlier answer showed (Infinity's OTP.phone/email). */
  choice?: DestinationChoice;
  /** Offer the contacts and send nothing until a resend names the choice (Infinity's DISPLAY_ALL). */
  offerOnly?: boolean;
}

/** A keyed retry must carry the body the key was first used with (KeyReused otherwise). */
async function sameRequest(handle: WorkflowHandle, digest: string): Promise<void> {
  assertSameBody((await handle.describe()).memo, digest);
}

/**
 * Whose retry a keyed create is: the token subject, the user the challenge is for, and
 * behind a trusted proxy the client network. Two end users of one app token (another user,
 * or another client) sending the same key and body get challenges of their own, so neither
 * is handed the other's securityKey (to cancel or resend it). A pre-login app's users are
 * told apart by their network only: its keys must be unguessable (docs/security.md).
 */
function replayScope(starter: StarterMemo, caller: PreloginCaller, req: CreateChallenge): string {
  return JSON.stringify([starter.startedBy ?? caller.subject, req.userId ?? null, caller.network ?? null]);
}

/** Whether a run with this id exists; false when Temporal cannot say within the query budget. */
async function runExists(client: Client, processId: string): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + EXISTS_BUDGET_MS, () =>
      client.workflow.getHandle(processId).describe(),
    );
    return true;
  } catch {
    return false;
  }
}

/** The first code went out (201), or is still going out when the wait budget ran out (202). */
export type CreatedChallenge =
  | { kind: 'created'; state: MfaState; securityKey: string; replayed?: boolean }
  | { kind: 'accepted'; processId: string; serviceKey: string; securityKey: string; state: MfaState | null };

/** What a caller may pin down about the challenge it names (the Infinity pairs do). */
export interface Expectation {
  purpose: MfaPurpose;
  userId?: string;
  phone?: string;
}

/**
 * The MFA operations behind both the native routes and the Infinity DbxUser routes.
 * Secrets stop here: the securityKey and OTP candidates go to the workflow as HMAC
 * digests only. Refusals come back as Refusals with a stable MFA code.
 */
export function createMfaService(deps: MfaServiceDeps) {
  const { client, config, serverKey } = deps;
  const keyDigest = (securityKey: string) => securityKeyDigest(serverKey, securityKey);
  const binding = (expect?: Expectation): MfaBinding | undefined =>
    expect && {
      purpose: expect.purpose,
      // No userId expected: a challenge bound to no user. A concealed one (bound to a user
      // the caller is not) is refused as any mismatch, before and whatever the phone, so
      // the pre-login pairs cannot probe which number a user has (issue: Infinity oracle).
      userId: expect.userId ?? null,
      ...(expect.phone !== undefined && {
        phoneDigest: destinationDigest(serverKey, canonicalPhone(expect.phone)),
      }),
    };

  /** Runs an Update on the challenge and turns every refusal into a problem. */
  async function update(
    serviceKey: string,
    securityKey: string,
    run: (handle: WorkflowHandle) => Promise<MfaState>,
  ): Promise<MfaState> {
    const handle = challengeHandle(client, serviceKey);
    try {
      return await client.withDeadline(Date.now() + UPDATE_BUDGET_MS, () => run(handle));
    } catch (e) {
      throw await asRefusal(e, handle, keyDigest(securityKey));
    }
  }

  return {
    /** `caller` (preloginCaller) is charged for a pre-login code, one bound to no user. */
    async create(
      typed: CreateChallenge,
      waitMs: number,
      {
        starter,
        caller,
        idempotency,
        conceal = false,
      }: {
        starter: StarterMemo;
        caller: PreloginCaller;
        /** The caller is not bound to req.userId (api/mfa/caller.ts namesUnboundUser). */
        conceal?: boolean;
        /** An Idempotency-Key and the body's digest: a retry names the same challenge. */
        idempotency?: { key: string; digest: string };
      },
    ): Promise<CreatedChallenge> {
      // One spelling per number before it is checked, digested, counted, stored or sent.
      const req = typed.phone ? { ...typed, phone: canonicalPhone(typed.phone) } : typed;
      // A number the caller types is checked before anything starts: nothing is sent to it.
      const refused = req.phone && phoneRefusal(req.phone, config.MFA_ALLOWED_COUNTRIES);
      if (refused) {
        throw new Refusal('DESTINATION_NOT_ALLOWED', 'Codes cannot be sent to this number.', {
          reason: refused,
        });
      }
      const { serviceKey, securityKey } = idempotency
        ? idempotentChallengeKeys(serverKey, replayScope(starter, caller, req), idempotency.key)
        : { serviceKey: randomUUID(), securityKey: newSecurityKey() };
      const processId = mfaProcessId(serviceKey);
      if (isPrelogin(req) || conceal) {
        await withStartBudget(client, () => reserveCallerSend(deps, caller, processId)).catch(
          async (e: unknown) => {
            // A keyed retry of a challenge that started was admitted then, and is answered
            // from its run below whatever the budget says now: a refusal may come from
            // shards known full (clients/full-shards.ts) without asking the one holding it.
            const refused = e instanceof Refusal && e.code === 'CALLER_RATE_LIMITED';
            if (!(refused && idempotency && (await runExists(client, processId)))) throw e;
          },
        );
      } else if (req.phone || req.email) {
        // A user's code to a destination its caller names, not one on file.
        const userId = req.userId as string;
        await withStartBudget(client, () => reserveUserNewDestination(deps, userId, processId));
      }
      const input: MfaChallengeInput = {
        serviceKey,
        purpose: req.purpose,
        ...(req.userId && { userId: req.userId }),
        ...(req.phone && { phone: req.phone }),
        ...(req.email && { email: req.email }),
        securityKeyDigest: keyDigest(securityKey),
        policy: mfaPolicy(config),
        ...(conceal && { conceal: true, callerDigest: preloginCallerDigest(serverKey, caller) }),
        ...(req.offerOnly && { offerOnly: true }),
        ...(req.choice && { choice: req.choice }),
      };
      const startWorkflowOperation = new WithStartWorkflowOperation(MFA_CHALLENGE_WORKFLOW, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: processId,
        args: [input],
        // Fresh serviceKeys never clash; a keyed retry joins its own run (and never reopens
        // an ended one).
        workflowIdConflictPolicy: idempotency ? 'USE_EXISTING' : 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // A concealed run records no starter: its trail (why no code went out) is for ops only.
        memo: { ...(!conceal && starter), ...(idempotency && { requestDigest: idempotency.digest }) },
        typedSearchAttributes: [
          { key: ProcessType, value: 'MFA_CHALLENGE' },
          { key: MfaPurposeAttribute, value: req.purpose },
        ],
        staticSummary: `MFA challenge · ${req.purpose}${req.userId ? ` · user ${req.userId}` : ''}`,
      });
      // Accepted first (the run exists from here on), then awaited within the budget.
      let delivery;
      try {
        delivery = await withStartBudget(client, () =>
          client.workflow.startUpdateWithStart(awaitInitialDeliveryUpdate, {
            startWorkflowOperation,
            updateId: 'initial-delivery',
            waitForStage: 'ACCEPTED',
          }),
        );
      } catch (e) {
        // A keyed retry of a challenge that has ended: its outcome, as it is now.
        if (idempotency && e instanceof WorkflowExecutionAlreadyStartedError) {
          const handle = client.workflow.getHandle(processId);
          await sameRequest(handle, idempotency.digest);
          return { kind: 'created', state: await handle.query(mfaStateQuery), securityKey, replayed: true };
        }
        // Past the deadline the run may exist (started, its Update not yet accepted, e.g.
        // while workers catch up). An unkeyed create is not idempotent, so an error here would
        // make the caller's retry a second challenge and a second code: 'accepted', with the keys.
        if (isTemporalUnavailable(e) && (await runExists(client, processId))) {
          return { kind: 'accepted', processId, serviceKey, securityKey, state: null };
        }
        throw e;
      }
      if (idempotency) await sameRequest(client.workflow.getHandle(processId), idempotency.digest);
      try {
        const state = await withinBudget(client, waitMs, () => delivery.result());
        return { kind: 'created', state, securityKey };
      } catch (e) {
        const refusal = updateRefusal(e);
        if (refusal) throw refusal;
        if (!(e instanceof BudgetExceeded)) throw e;
        const handle = client.workflow.getHandle(processId);
        const state = await client
          .withDeadline(Date.now() + QUERY_BUDGET_MS, () => handle.query(mfaStateQuery))
          .catch(() => null);
        return { kind: 'accepted', processId, serviceKey, securityKey, state };
      }
    },

    /**
     * `requestKey`: the request's Idempotency-Key, if it sent one. The Update id comes from
     * it, or else from the request itself, so a client retrying after a lost answer gets
     * the first outcome back (Temporal keeps it per Update id): a wrong code counts once,
     * a success stays a success.
     */
    verify(
      serviceKey: string,
      securityKey: string,
      otp: string,
      expect?: Expectation,
      requestKey?: string,
    ): Promise<MfaState> {
      const args = {
        securityKeyDigest: keyDigest(securityKey),
        otpDigest: otpDigest(serverKey, serviceKey, otp),
        expect: binding(expect),
      };
      return update(serviceKey, securityKey, (handle) =>
        handle.executeUpdate(verifyUpdate, {
          args: [args],
          updateId: updateIdOf(serverKey, 'verify', serviceKey, requestKey ?? canonicalJson(args)),
        }),
      );
    },

    /**
     * `choice`: only these contacts get it (on an OFFERED challenge, the first code). Two
     * resends have the same body: only an Idempotency-Key names one of them.
     */
    resend(
      serviceKey: string,
      securityKey: string,
      expect?: Expectation,
      choice?: DestinationChoice,
      requestKey?: string,
    ): Promise<MfaState> {
      return update(serviceKey, securityKey, (handle) =>
        handle.executeUpdate(resendUpdate, {
          args: [
            { securityKeyDigest: keyDigest(securityKey), expect: binding(expect), ...(choice && { choice }) },
          ],
          ...(requestKey && { updateId: updateIdOf(serverKey, 'resend', serviceKey, requestKey) }),
        }),
      );
    },

    /** Cancelling twice is one cancellation: its id is the challenge's and the key's. */
    cancel(serviceKey: string, securityKey: string, requestKey?: string): Promise<MfaState> {
      const args = { securityKeyDigest: keyDigest(securityKey) };
      return update(serviceKey, securityKey, (handle) =>
        handle.executeUpdate(cancelUpdate, {
          args: [args],
          updateId: updateIdOf(serverKey, 'cancel', serviceKey, requestKey ?? canonicalJson(args)),
        }),
      );
    },

    async get(serviceKey: string): Promise<MfaState> {
      const handle = challengeHandle(client, serviceKey);
      try {
        return await handle.query(mfaStateQuery);
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw challengeNotFound();
        throw e;
      }
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;

/** A stable Update id per request: keyed, so neither a code nor a key can be read back from it. */
function updateIdOf(serverKey: Buffer, kind: string, serviceKey: string, request: string): string {
  return `${kind}-${hmacHex(serverKey, `mfa-update:${kind}:${serviceKey}:${request}`).slice(0, 32)}`;
}

function challengeHandle(client: Client, serviceKey: string): WorkflowHandle {
  if (!SERVICE_KEY.test(serviceKey)) throw challengeNotFound();
  return client.workflow.getHandle(mfaProcessId(serviceKey));
}

const challengeNotFound = () => new Refusal('CHALLENGE_NOT_FOUND', 'No MFA challenge has this serviceKey.');

/** An Update refused by the workflow, or sent to a run that has ended, as a Refusal. */
async function asRefusal(e: unknown, handle: WorkflowHandle, keyDigest: string): Promise<unknown> {
  const refusal = updateRefusal(e);
  if (refusal) return refusal;
  if (!(e instanceof WorkflowNotFoundError)) return e;
  return endedRunRefusal(handle, keyDigest);
}

/**
 * The run is gone or over: not found, or the refusal its final state implies. The key is
 * checked first (by a query, in constant time inside the workflow), so a caller
 * without it learns nothing more than with a live challenge.
 */
async function endedRunRefusal(handle: WorkflowHandle, keyDigest: string): Promise<Refusal> {
  try {
    const { type } = await handle.describe();
    if (type !== MFA_CHALLENGE_WORKFLOW) return challengeNotFound();
    if (!(await handle.query(securityKeyMatchesQuery, keyDigest))) return new Refusal('SECURITY_KEY_INVALID');
    const state = await handle.query(mfaStateQuery);
    const code = statusRefusalCode(state.status) ?? 'OTP_EXPIRED';
    return new Refusal(code, undefined, counters(state));
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return challengeNotFound();
    throw e;
  }
}

function counters(state: MfaState): Record<string, unknown> {
  const { status, expiresAt, remainingVerifyAttempts, remainingResendAttempts, resendAvailableAt } = state;
  return { status, expiresAt, remainingVerifyAttempts, remainingResendAttempts, resendAvailableAt };
}

/**
 * The state of the challenge `mfa` names, for the holder of its securityKey (compared
 * inside the workflow); NOT_FOUND or KEY_MISMATCH otherwise. Read, not trusted: the
 * process that uses it as a proof consumes it, which is the authoritative check.
 */
export async function heldChallenge(
  client: Client,
  serverKey: Buffer,
  mfa: { serviceKey: string; securityKey: string },
): Promise<MfaState | 'NOT_FOUND' | 'KEY_MISMATCH'> {
  const handle = client.workflow.getHandle(mfaProcessId(mfa.serviceKey));
  try {
    const matches = await handle.query(
      securityKeyMatchesQuery,
      securityKeyDigest(serverKey, mfa.securityKey),
    );
    if (!matches) return 'KEY_MISMATCH';
    return await handle.query(mfaStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw e;
  }
}

/** What a process's consume of a challenge came to. */
export type ConsumeOutcome =
  | { consumed: true }
  /** `reason`: the workflow's refusal code, or the challenge's status, or CHALLENGE_NOT_FOUND. */
  | { consumed: false; reason: string; status: MfaStatus | null };

/**
 * Consumes a challenge once as a process's proof (the workflow checks `binding`). A retry
 * after the process's own successful consume finds it consumed by that process: consumed.
 * A failure that says nothing definite (the engine unreachable) is thrown, to be retried.
 */
export async function consumeChallenge(
  client: Client,
  serviceKey: string,
  binding: MfaBinding,
  consumerProcessId: string,
): Promise<ConsumeOutcome> {
  const handle = client.workflow.getHandle(mfaProcessId(serviceKey));
  try {
    await handle.executeUpdate(consumeUpdate, { args: [{ ...binding, consumerProcessId }] });
    return { consumed: true };
  } catch (e) {
    // The consumed run has usually ended by then (the Update meets a closed run, which
    // the client reports as not found), so the final state decides before anything else.
    const state = await handle.query(mfaStateQuery).catch(() => null);
    if (state?.status === 'CONSUMED' && state.consumedBy === consumerProcessId) return { consumed: true };
    const status = state?.status ?? null;
    if (e instanceof WorkflowNotFoundError) {
      return { consumed: false, reason: state?.status ?? 'CHALLENGE_NOT_FOUND', status };
    }
    if (e instanceof WorkflowUpdateFailedError) {
      return {
        consumed: false,
        reason: (e.cause as { type?: string } | undefined)?.type ?? 'REFUSED',
        status,
      };
    }
    if (state && state.status !== 'VERIFIED') return { consumed: false, reason: state.status, status };
    throw e;
  }
}

/**
 * Waits for the first code of a challenge that a process started (the same Update the
 * API's create awaits). A challenge that ended first (it failed fast) answers from its
 * final state: FAILED is refused with its failure code (OTP_DELIVERY_FAILED by default).
 */
export async function awaitFirstCode(
  client: Client,
  serviceKey: string,
  notSent = 'The code was not sent.',
): Promise<MfaState> {
  const handle = client.workflow.getHandle(mfaProcessId(serviceKey));
  try {
    return await handle.executeUpdate(awaitInitialDeliveryUpdate, { updateId: 'initial-delivery' });
  } catch (e) {
    const refusal = updateRefusal(e);
    if (refusal) throw refusal;
    if (!(e instanceof WorkflowNotFoundError)) throw e;
    const state = await handle.query(mfaStateQuery);
    if (state.status === 'FAILED') {
      const failed = state.failureCode ?? undefined;
      throw new Refusal(isBusinessCode(failed) ? failed : 'OTP_DELIVERY_FAILED', notSent);
    }
    return state;
  }
}

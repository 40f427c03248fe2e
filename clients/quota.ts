import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { shardCaps, userNewDestinationPolicy } from '../config/mfa-policy';
import { hmacHex } from '../lib/server-key';
import { userKey } from '../messages/mfa-user-lock';
import {
  MFA_QUOTA_WORKFLOW,
  reserveSendUpdate,
  type DestinationQuotaInput,
  type DestinationQuotaPolicy,
} from '../messages/mfa-quota';
import { FullShards } from './full-shards';
import { Refusal, updateRefusal } from './refusal';

/**
 * The one conversation with a quota workflow (MfaDestinationQuota, the rolling-window
 * entity): reserve one send, starting the entity if needed. Destinations, identity
 * attempts, callers and a user's new destinations all spend their budgets through it.
 */
export interface QuotaReservation {
  workflowId: string;
  /** Where the entity lives (config entityTaskQueue): a run from elsewhere moves there at its next continue-as-new. */
  taskQueue: string;
  /** Temporal de-duplicates a retried reservation by it (the Update id): it counts once. */
  ref: string;
  policy: DestinationQuotaPolicy;
  staticSummary?: string;
}

export type QuotaVerdict =
  /** fullForSeconds: this send filled the quota, refusing the next for that long. */
  | { reserved: true; fullForSeconds?: number }
  | { reserved: false; refusal: Refusal; retryAfterSeconds: number };

export async function reserveSend(client: Client, r: QuotaReservation): Promise<QuotaVerdict> {
  const startWorkflowOperation = new WithStartWorkflowOperation(MFA_QUOTA_WORKFLOW, {
    workflowId: r.workflowId,
    taskQueue: r.taskQueue,
    args: [{ sends: [] } satisfies DestinationQuotaInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(r.staticSummary && { staticSummary: r.staticSummary }),
  });
  try {
    const { fullForSeconds } = await client.workflow.executeUpdateWithStart(reserveSendUpdate, {
      args: [{ ref: r.ref, policy: r.policy, taskQueue: r.taskQueue }],
      updateId: r.ref,
      startWorkflowOperation,
    });
    return { reserved: true, ...(fullForSeconds !== undefined && { fullForSeconds }) };
  } catch (e) {
    const refusal = updateRefusal(e);
    if (refusal?.code !== 'DESTINATION_RATE_LIMITED') throw e;
    const { retryAfterSeconds = 60 } = refusal.details as { retryAfterSeconds?: number };
    return { reserved: false, refusal, retryAfterSeconds };
  }
}

/**
 * Who asks for a pre-login code: the token subject, and behind a trusted proxy the client
 * network. Each has a budget of its own (reserveCallerSend): a subject's cap holds across
 * the addresses it comes from, and an address's across subjects.
 */
export interface PreloginCaller {
  subject: string;
  /** Behind TRUST_PROXY only: the client address (an IPv6 client as its /64). */
  network?: string;
}

/**
 * The pre-login caller of a concealed challenge (its token subject and, behind TRUST_PROXY,
 * client network: the key its send budgets use) as a keyed digest: the wrong codes it types
 * count on a lock of its own for the named user (messages/mfa-user-lock.ts
 * preloginLockKey), so it can lock only itself out, never the user's own app calling from
 * another network. A digest, since lock ids are in clear and hold no client address.
 */
export function preloginCallerDigest(
  serverKey: Buffer,
  caller: { subject: string; network?: string },
): string {
  const text = `mfa-prelogin-lock:${JSON.stringify([caller.subject, caller.network ?? null])}`;
  return hmacHex(serverKey, text).slice(0, 32);
}

/** One of a caller's quota workflows: the caller only as a keyed digest (no IP in ids). */
export const callerQuotaId = (serverKey: Buffer, caller: string, shard: number) =>
  `mfa-caller-${hmacHex(serverKey, `mfa-caller:${caller}`).slice(0, 32)}-${shard}`;

/** The budget of one client network behind the proxy, apart from any subject's. */
const networkKey = (network: string) => `network|${network}`;

type Deps = { client: Client; config: Config; serverKey: Buffer };

/**
 * Spends one pre-login send of the caller's budgets before anything is started or sent:
 * the client network's first (behind TRUST_PROXY), then the subject's, so a client over
 * its own cap spends nothing of the app's. Refused CALLER_RATE_LIMITED (retryAfterSeconds)
 * when either is spent. A retried create with the same ref counts once.
 */
export async function reserveCallerSend(deps: Deps, caller: PreloginCaller, ref: string): Promise<void> {
  const { config } = deps;
  if (caller.network !== undefined) {
    await reserveExactly(deps, networkKey(caller.network), ref, config.MFA_PRELOGIN_MAX_PER_NETWORK_PER_HOUR);
  }
  await reserveExactly(deps, caller.subject, ref, config.MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR);
}

/**
 * The shards each API process knows full (clients/full-shards.ts), per Temporal client:
 * one per process in production, one per stack in tests.
 */
const knownFull = new WeakMap<Client, FullShards>();
const fullShardsOf = (client: Client): FullShards => {
  let shards = knownFull.get(client);
  if (!shards) knownFull.set(client, (shards = new FullShards()));
  return shards;
};

/**
 * An hourly budget of exactly `limit` over at most MFA_PRELOGIN_CALLER_SHARDS quota
 * workflows (shardCaps: caps summing to the limit, one entity when the limit is small).
 * A send starts on the shard its ref picks, so a busy caller's sends spread; a full shard
 * passes it on to the next, so it is refused only when every shard is full, that is when
 * `limit` sends are in the window: N admits N and refuses the N+1st.
 *
 * A shard is skipped while it is known full (FullShards: the refusal, or the admission
 * that filled it, says until when), so a caller over budget is refused at once, without
 * an Update to any shard: otherwise each of its refused sends would be a rejected Update
 * on every shard, and its flood would make every shard hot. A hint only refuses; admitting
 * is the shard's alone.
 */
async function reserveExactly(deps: Deps, caller: string, ref: string, limit: number): Promise<void> {
  const caps = shardCaps(limit, deps.config.MFA_PRELOGIN_CALLER_SHARDS);
  const first = parseInt(hmacHex(deps.serverKey, `mfa-caller-shard:${ref}`).slice(0, 8), 16) % caps.length;
  const full = fullShardsOf(deps.client);
  let freeAt = Infinity;
  for (let i = 0; i < caps.length; i++) {
    const shard = (first + i) % caps.length;
    const cap = caps[shard] as number;
    const workflowId = callerQuotaId(deps.serverKey, caller, shard);
    // Another budget may use the same entity with another cap (a changed limit).
    const hintKey = `${workflowId}/${cap}`;
    const knownFullUntil = full.fullUntil(hintKey);
    if (knownFullUntil !== undefined) {
      freeAt = Math.min(freeAt, knownFullUntil);
      continue;
    }
    const verdict = await reserveSend(deps.client, {
      workflowId,
      taskQueue: deps.config.entityTaskQueue,
      ref,
      policy: { maxPerWindow: cap, windowMinutes: 60, maxPerDay: cap * 24 },
      staticSummary: 'MFA send quota of a caller',
    });
    if (verdict.reserved) {
      // The send that fills a shard says so: the next ones skip it without asking.
      if (verdict.fullForSeconds !== undefined) full.learn(hintKey, verdict.fullForSeconds);
      return;
    }
    full.learn(hintKey, verdict.retryAfterSeconds);
    freeAt = Math.min(freeAt, Date.now() + verdict.retryAfterSeconds * 1000);
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - Date.now()) / 1000));
  throw new Refusal(
    'CALLER_RATE_LIMITED',
    `This caller asked for too many pre-login codes; retry in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );
}

/** The user's budget of codes to destinations its caller names (not on file): one entity per user. */
export const userNewDestinationQuotaId = (serverKey: Buffer, userId: string) =>
  `mfa-user-dest-${hmacHex(serverKey, `mfa-user-dest:${userKey(userId)}`).slice(0, 32)}`;

/**
 * Spends one code of the user's budget for destinations not on file (UPDATE_PHONE, or an
 * ONBOARDING code its own token sends to a number it types): a signed-in customer, or a
 * token stolen from one, cannot pump codes to numbers of its choosing. Refused
 * USER_RATE_LIMITED (retryAfterSeconds) when spent; nothing is started or sent.
 */
export async function reserveUserNewDestination(deps: Deps, userId: string, ref: string): Promise<void> {
  const verdict = await reserveSend(deps.client, {
    workflowId: userNewDestinationQuotaId(deps.serverKey, userId),
    taskQueue: deps.config.entityTaskQueue,
    ref,
    policy: userNewDestinationPolicy(deps.config),
    staticSummary: 'MFA send quota of a caller',
  });
  if (verdict.reserved) return;
  const wait = verdict.retryAfterSeconds;
  throw new Refusal(
    'USER_RATE_LIMITED',
    `Too many codes were sent to new destinations for this user; retry in ${wait} s.`,
    { retryAfterSeconds: wait },
  );
}

import { isIP } from 'node:net';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Config } from '../../config';
import { shardCaps, userNewDestinationPolicy } from '../../config/mfa-policy';
import { hmacHex } from '../../lib/server-key';
import { userKey } from '../../messages/mfa-user-lock';
import {
  MFA_QUOTA_WORKFLOW,
  reserveSendUpdate,
  type DestinationQuotaInput,
  type DestinationQuotaPolicy,
} from '../../messages/mfa-quota';
import { businessFailureIn, businessProblem, failureExtensions } from '../http/business-status';
import type { ProblemError } from '../http/problem';

/**
 * Who asks for a pre-login code: the token subject, and behind a trusted proxy the client
 * address. Each has a budget of its own (reserveCallerSend): a subject's cap holds across
 * the addresses it comes from, and an address's across subjects.
 */
export interface PreloginCaller {
  subject: string;
  /** Behind TRUST_PROXY only: the client address (an IPv6 client as its /64, clientNetwork). */
  network?: string;
}

export function preloginCaller(req: Request, config: Config): PreloginCaller {
  const subject = req.principal?.subject ?? 'anonymous';
  return config.TRUST_PROXY === false ? { subject } : { subject, network: clientNetwork(req.ip ?? '') };
}

/**
 * The unit one client holds: an IPv4 address, or an IPv6 /64 (one subscriber's prefix: a
 * client rotating through 2^64 addresses of its own is one client).
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
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
 * its own cap spends nothing of the app's. 429 CALLER_RATE_LIMITED with Retry-After when
 * either is spent. A retried create with the same ref counts once.
 */
export async function reserveCallerSend(deps: Deps, caller: PreloginCaller, ref: string): Promise<void> {
  const { config } = deps;
  const refused = (retryAfterSeconds: number) =>
    businessProblem(
      'CALLER_RATE_LIMITED',
      `This caller asked for too many pre-login codes; retry in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    );
  if (caller.network !== undefined) {
    await reserveExactly(
      deps,
      networkKey(caller.network),
      ref,
      config.MFA_PRELOGIN_MAX_PER_NETWORK_PER_HOUR,
      refused,
    );
  }
  await reserveExactly(deps, caller.subject, ref, config.MFA_PRELOGIN_MAX_PER_CALLER_PER_HOUR, refused);
}

/**
 * An hourly budget of exactly `limit` over at most MFA_PRELOGIN_CALLER_SHARDS quota
 * workflows (shardCaps: caps summing to the limit, one entity when the limit is small).
 * A send starts on the shard its ref picks, so a busy caller's sends spread; a full shard
 * passes it on to the next, so it is refused only when every shard is full, that is when
 * `limit` sends are in the window: N admits N and refuses the N+1st.
 */
async function reserveExactly(
  deps: Deps,
  caller: string,
  ref: string,
  limit: number,
  refused: (retryAfterSeconds: number) => ProblemError,
): Promise<void> {
  const caps = shardCaps(limit, deps.config.MFA_PRELOGIN_CALLER_SHARDS);
  const first = parseInt(hmacHex(deps.serverKey, `mfa-caller-shard:${ref}`).slice(0, 8), 16) % caps.length;
  let retryAfterSeconds = Infinity;
  for (let i = 0; i < caps.length; i++) {
    const shard = (first + i) % caps.length;
    const cap = caps[shard] as number;
    const wait = await reserveOn(deps, callerQuotaId(deps.serverKey, caller, shard), ref, {
      maxPerWindow: cap,
      windowMinutes: 60,
      maxPerDay: cap * 24,
    });
    if (wait === null) return;
    retryAfterSeconds = Math.min(retryAfterSeconds, wait);
  }
  throw refused(retryAfterSeconds);
}

/**
 * One reservation on a quota workflow (the rolling-window entity the destinations use):
 * null when reserved, else the seconds until it has room again.
 */
async function reserveOn(
  deps: Deps,
  workflowId: string,
  ref: string,
  policy: DestinationQuotaPolicy,
): Promise<number | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(MFA_QUOTA_WORKFLOW, {
    workflowId,
    taskQueue: deps.config.entityTaskQueue,
    args: [{ sends: [] } satisfies DestinationQuotaInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'MFA send quota of a caller',
  });
  try {
    await deps.client.workflow.executeUpdateWithStart(reserveSendUpdate, {
      args: [{ ref, policy }],
      updateId: ref,
      startWorkflowOperation,
    });
    return null;
  } catch (e) {
    const cause = e instanceof WorkflowUpdateFailedError ? businessFailureIn(e) : undefined;
    if (cause?.type !== 'DESTINATION_RATE_LIMITED') throw e;
    const { retryAfterSeconds = 60 } = failureExtensions(cause) as { retryAfterSeconds?: number };
    return retryAfterSeconds;
  }
}

/** The user's budget of codes to destinations its caller names (not on file): one entity per user. */
export const userNewDestinationQuotaId = (serverKey: Buffer, userId: string) =>
  `mfa-user-dest-${hmacHex(serverKey, `mfa-user-dest:${userKey(userId)}`).slice(0, 32)}`;

/**
 * Spends one code of the user's budget for destinations not on file (UPDATE_PHONE, or an
 * ONBOARDING code its own token sends to a number it types): a signed-in customer, or a
 * token stolen from one, cannot pump codes to numbers of its choosing. 429
 * USER_RATE_LIMITED with Retry-After when spent; nothing is started or sent.
 */
export async function reserveUserNewDestination(deps: Deps, userId: string, ref: string): Promise<void> {
  const wait = await reserveOn(
    deps,
    userNewDestinationQuotaId(deps.serverKey, userId),
    ref,
    userNewDestinationPolicy(deps.config),
  );
  if (wait === null) return;
  throw businessProblem(
    'USER_RATE_LIMITED',
    `Too many codes were sent to new destinations for this user; retry in ${wait} s.`,
    { retryAfterSeconds: wait },
  );
}

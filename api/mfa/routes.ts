import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { TokenVerifier } from '../http/auth';
import { actsForAnyUser, callerRefusal, namesUnboundUser, noSoonerThan } from './caller';
import { preloginCaller } from './caller-quota';
import { createMfaService, type CreatedChallenge } from '../../clients/mfa-challenge';
import { Refusal } from '../../clients/refusal';
import { starterMemo } from '../processes/readers';
import { fieldErrors, validated } from '../http/validate';
import { mount } from '../http/route';
import { routes } from '../routes';
import { idempotencyKey } from '../http/fields';
import { requestDigest, requestKey } from '../http/idempotency';
import { ProblemError, problems } from '../http/problem';
import { businessProblem } from '../http/business-status';
import { cancelRequest, type CreateChallengeRequest, type ResendRequest, type VerifyRequest } from './schema';
import { waitBudgetMs } from '../http/wait-budget';

export interface MfaRouterDeps {
  client: Client;
  config: Config;
  serverKey: Buffer;
  verifier: TokenVerifier;
}

const statusUrl = (serviceKey: string) => `/mfa/challenges/${serviceKey}`;

/**
 * The native MFA API (scope mfa:write for a user's own challenges, plus mfa:any-user for a
 * channel backend; mfa:prelogin for pre-login ONBOARDING only, see api/mfa/caller.ts). The
 * Infinity DbxUser routes share its service.
 */
export function mfaRouter(deps: MfaRouterDeps): Router {
  const { config } = deps;
  const service = createMfaService(deps);
  const router = Router();
  const serviceKeyOf = (req: Request) => String(req.params.serviceKey);
  /**
   * Refuses a caller bound to its own user before it may touch another user's challenge;
   * true when the caller is not bound to the challenge's user (its answers are concealed).
   */
  const authorize = async (req: Request): Promise<boolean> => {
    const principal = req.principal!;
    if (actsForAnyUser(principal)) return false;
    const target = await service.get(serviceKeyOf(req));
    const refusal = callerRefusal(principal, target);
    if (refusal) throw refusal;
    return namesUnboundUser(principal, target);
  };
  const concealedMs = config.MFA_CONCEALED_MIN_ANSWER_MS;

  mount(router, routes.createChallenge, deps, async (req, res) => {
    const body = validated<CreateChallengeRequest>(req);
    const refusal = callerRefusal(req.principal!, body);
    if (refusal) throw refusal;
    const conceal = namesUnboundUser(req.principal!, body);
    // A caller not bound to the user may not name where the code goes, only the user.
    if (conceal && (body.phone || body.email)) {
      throw problems.validation([
        {
          path: body.phone ? 'phone' : 'email',
          message: 'a code for a userId goes to its registered contacts only',
        },
      ]);
    }
    // Concealed: `Prefer` is ignored, so a caller cannot pick when it sees the state.
    const createWaitMs = conceal
      ? config.API_WAIT_BUDGET_MS
      : waitBudgetMs(req, config.API_WAIT_BUDGET_MS, config.API_MAX_WAIT_SECONDS);
    const creating = service
      .create(body, createWaitMs, {
        starter: starterMemo(req.principal),
        caller: preloginCaller(req, config),
        conceal,
        ...(req.get('idempotency-key') !== undefined && {
          idempotency: { key: requestKey(req, undefined), digest: requestDigest(deps.serverKey, body) },
        }),
      })
      .catch((e: unknown) => {
        throw body.userId && body.userId !== req.principal?.subject ? withoutUserStatus(e) : e;
      });
    const created = await (conceal ? noSoonerThan(concealedMs, creating) : creating);
    const serviceKey = created.kind === 'created' ? created.state.serviceKey : created.serviceKey;
    res.location(statusUrl(serviceKey));
    if (created.kind === 'accepted') {
      res.status(202).setHeader('Retry-After', '1');
      return void res.json(acceptedBody(created, conceal));
    }
    if (created.replayed) res.setHeader('Idempotent-Replayed', 'true');
    // The securityKey is in this answer and nowhere else, ever.
    res.status(201).json({ ...created.state, securityKey: created.securityKey });
  });

  mount(router, routes.getChallenge, deps, async (req, res) => {
    const state = await service.get(serviceKeyOf(req));
    const refusal = callerRefusal(req.principal!, state);
    if (refusal) throw refusal;
    res.json(state);
  });

  mount(router, routes.verifyChallenge, deps, async (req, res) => {
    const { securityKey, otp } = validated<VerifyRequest>(req);
    await authorize(req);
    const state = await service.verify(serviceKeyOf(req), securityKey, otp, undefined, updateKey(req));
    res.json({ ...state, isOtpVerified: true });
  });

  mount(router, routes.resendChallenge, deps, async (req, res) => {
    const { securityKey } = validated<ResendRequest>(req);
    // Authorized first: nothing is resent for a caller that may not.
    const concealed = await authorize(req);
    const resending = service.resend(serviceKeyOf(req), securityKey, undefined, undefined, updateKey(req));
    const state = await (concealed ? noSoonerThan(concealedMs, resending) : resending);
    res.json({ ...state, securityKey });
  });

  mount(router, routes.cancelChallenge, deps, async (req, res) => {
    const securityKey = cancelKey(req);
    await authorize(req);
    res.json(await service.cancel(serviceKeyOf(req), securityKey, updateKey(req)));
  });

  return router;
}

/** The request's Idempotency-Key, if it sent a valid one: a retry of it is the same Update. */
function updateKey(req: Request): string | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return undefined;
  if (!idempotencyKey.safeParse(header).success) {
    throw problems.validation([{ path: 'Idempotency-Key', message: 'invalid idempotency key' }]);
  }
  return header;
}

const USER_REFUSALS = new Set(['USER_NOT_FOUND', 'USER_NOT_ACTIVE', 'NO_REGISTERED_CONTACT']);

/**
 * A caller not bound to the user it names (a channel token, not the user's own) gets one
 * and the same refusal whether the user is unknown, locked, deactivated or has no contact:
 * the answer must not tell which IB/MB user ids exist, nor their status.
 */
function withoutUserStatus(e: unknown): unknown {
  if (!(e instanceof Refusal || e instanceof ProblemError) || !USER_REFUSALS.has(e.code)) return e;
  return businessProblem('USER_NOT_FOUND', 'No IB/MB user with a registered contact has this id.');
}

/** DELETE carries the securityKey in X-Security-Key or in a JSON body. */
function cancelKey(req: Request): string {
  const parsed = cancelRequest.safeParse(req.body ?? {});
  if (!parsed.success) throw problems.validation(fieldErrors(parsed.error));
  const key = req.get('x-security-key') ?? parsed.data.securityKey;
  if (!key)
    throw problems.validation([{ path: 'securityKey', message: 'required (body or X-Security-Key)' }]);
  return key;
}

function acceptedBody(created: Extract<CreatedChallenge, { kind: 'accepted' }>, conceal: boolean) {
  return {
    processId: created.processId,
    serviceKey: created.serviceKey,
    // As the concealed view shows it (workflows/mfa/state.ts counters).
    status: conceal ? 'PENDING' : 'SENDING',
    ...created.state,
    securityKey: created.securityKey,
    statusUrl: statusUrl(created.serviceKey),
  };
}

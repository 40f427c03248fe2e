import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { DestinationChoice, MfaPurpose } from '../../messages/mfa';
import type { TokenVerifier } from '../http/auth';
import {
  INFINITY_BASE_PATH,
  infinityOtpRequested,
  infinityOtpSending,
  infinityOtpVerified,
} from './infinity';
import { callerRefusal } from './caller';
import { preloginCaller } from './caller-quota';
import { createMfaService, type Expectation, type MfaService } from '../../clients/mfa-challenge';
import { notFound } from '../http/errors';
import { starterMemo } from '../processes/readers';
import { validated } from '../http/validate';
import { mount } from '../http/route';
import { routes } from '../routes';
import { problems } from '../http/problem';
import type { InfinityRequestOtp, InfinityVerifyOtp } from './infinity-schema';
import { waitBudgetMs } from '../http/wait-budget';

export interface InfinityDbxUserDeps {
  client: Client;
  config: Config;
  serverKey: Buffer;
  verifier: TokenVerifier;
}

/**
 * Temenos Infinity-compatible DbxUser MFA operations over the same service as
 * /mfa/challenges. Pre-login (MB onboarding): the code goes to `Phone`, purpose
 * ONBOARDING. Security questions: the caller is an authenticated user (the JWT
 * subject is the IB/MB userId) and the code goes to that user's registered contacts.
 * Errors are turned into Infinity's shape by infinityErrors (api/mfa/infinity.ts).
 */
export function infinityDbxUserRouter(deps: InfinityDbxUserDeps): Router {
  const { config } = deps;
  const service = createMfaService(deps);
  const router = Router();
  const waitMs = (req: Request) => waitBudgetMs(req, config.API_WAIT_BUDGET_MS, config.API_MAX_WAIT_SECONDS);

  mount(router, routes.infinityRequestOtpPreLogin, deps, async (req, res) => {
    const body = validated<InfinityRequestOtp>(req);
    // The native route's rule: a user's own token opens no pre-login code.
    const refusal = callerRefusal(req.principal!, { purpose: 'ONBOARDING' });
    if (refusal) throw refusal;
    const expect: Expectation = { purpose: 'ONBOARDING', phone: body.Phone };
    const resent = await resendIfKeyed(service, body, expect);
    if (resent) return void res.json(resent);
    if (!body.Phone) throw problems.validation([{ path: 'Phone', message: 'required for a new code' }]);
    res.json(
      await requestNew(service, { purpose: 'ONBOARDING', phone: body.Phone }, body, waitMs(req), req, config),
    );
  });

  mount(router, routes.infinityVerifyOtpPreLogin, deps, async (req, res) => {
    const body = validated<InfinityVerifyOtp>(req);
    const refusal = callerRefusal(req.principal!, { purpose: 'ONBOARDING' });
    if (refusal) throw refusal;
    res.json(await verify(service, body, { purpose: 'ONBOARDING', phone: body.Phone }));
  });

  mount(router, routes.infinityRequestSecurityQuestionsOtp, deps, async (req, res) => {
    const body = validated<InfinityRequestOtp>(req);
    const userId = subjectOf(req);
    const expect: Expectation = { purpose: 'UPDATE_SECURITY_QUESTIONS', userId };
    const resent = await resendIfKeyed(service, body, expect);
    if (resent) return void res.json(resent);
    res.json(
      await requestNew(
        service,
        { purpose: 'UPDATE_SECURITY_QUESTIONS', userId },
        body,
        waitMs(req),
        req,
        config,
      ),
    );
  });

  mount(router, routes.infinityVerifySecurityQuestionsOtp, deps, async (req, res) => {
    const body = validated<InfinityVerifyOtp>(req);
    res.json(await verify(service, body, { purpose: 'UPDATE_SECURITY_QUESTIONS', userId: subjectOf(req) }));
  });

  // Unknown DbxUser operations are 404 in Infinity's shape too.
  router.use(INFINITY_BASE_PATH, notFound);
  return router;
}

/** The authenticated IB/MB user: the bearer token's subject. */
function subjectOf(req: Request): string {
  const subject = req.principal?.subject;
  if (!subject) throw problems.unauthenticated('A user token is required.');
  return subject;
}

/**
 * The contacts `MFAAttributes.OTP.phone` / `OTP.email` choose, by the referenceIds of
 * `customerCommunication`; undefined when the request names none (every contact).
 */
function choiceOf(body: InfinityRequestOtp): DestinationChoice | undefined {
  const { phone, email } = body.MFAAttributes?.OTP ?? {};
  if (phone === undefined && email === undefined) return undefined;
  return { ...(phone !== undefined && { phone }), ...(email !== undefined && { email }) };
}

/**
 * A request carrying a serviceKey asks for the code again, to the contacts it chooses; on a
 * challenge that only offered its contacts (DISPLAY_ALL) it is the first send.
 */
async function resendIfKeyed(service: MfaService, body: InfinityRequestOtp, expect: Expectation) {
  const serviceKey = body.MFAAttributes?.serviceKey;
  if (!serviceKey) return null;
  const securityKey = body.MFAAttributes?.OTP?.securityKey ?? '';
  return infinityOtpRequested(
    await service.resend(serviceKey, securityKey, expect, choiceOf(body)),
    securityKey,
  );
}

/**
 * A new challenge: sent at once to the chosen contacts (or all), or, with
 * INFINITY_MFA_COMMUNICATION_TYPE=DISPLAY_ALL and no choice named, only offered.
 */
async function requestNew(
  service: MfaService,
  target: { purpose: MfaPurpose; phone?: string; userId?: string },
  body: InfinityRequestOtp,
  waitMs: number,
  http: Request,
  config: Config,
) {
  const choice = choiceOf(body);
  const offerOnly = !choice && config.INFINITY_MFA_COMMUNICATION_TYPE === 'DISPLAY_ALL';
  const req = { ...target, ...(choice && { choice }), ...(offerOnly && { offerOnly }) };
  const created = await service.create(req, waitMs, {
    starter: starterMemo(http.principal),
    caller: preloginCaller(http, config),
  });
  return created.kind === 'created'
    ? infinityOtpRequested(created.state, created.securityKey)
    : infinityOtpSending(created.serviceKey, created.securityKey, created.state);
}

async function verify(service: MfaService, body: InfinityVerifyOtp, expect: Expectation) {
  const { serviceKey, OTP } = body.MFAAttributes;
  const missing = [
    ...(serviceKey ? [] : ['MFAAttributes.serviceKey']),
    ...(OTP?.securityKey ? [] : ['MFAAttributes.OTP.securityKey']),
    ...(OTP?.otp ? [] : ['MFAAttributes.OTP.otp']),
  ];
  if (missing.length) throw problems.validation(missing.map((path) => ({ path, message: 'required' })));
  const state = await service.verify(
    serviceKey as string,
    OTP?.securityKey as string,
    OTP?.otp as string,
    expect,
  );
  return infinityOtpVerified(state);
}

import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import { currentDisclosures } from '../../config/disclosures';
import { securityKeyDigest } from '../../lib/mfa-crypto';
import {
  completeRegistrationUpdate,
  registrationKeyMatchesQuery,
  registrationProcessId,
  registrationStateQuery,
  type RegistrationView,
} from '../../messages/registration';
import type { TokenVerifier } from '../http/auth';
import { requestKey } from '../http/idempotency';
import { validated } from '../http/validate';
import { mount } from '../http/route';
import { routes } from '../routes';
import { preloginCaller } from '../mfa/caller-quota';
import { createMfaService, mfaProblem } from '../mfa/service';
import { starterMemo } from '../processes/readers';
import { ProblemError } from '../http/problem';
import type { RegistrationRequest, RegistrationVerifyRequest } from './schema';
import { refuseBadRequest, registrationProblem, startRegistration, updateRefusal } from './start';

export interface RegistrationDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPLETE_BUDGET_MS = 30_000;

const notFound = () =>
  new ProblemError(404, 'REGISTRATION_NOT_FOUND', 'Registration not found', 'No registration has this id.');

/**
 * Self-registration (docs/registration.md), pre-login: any valid token of the bank's issuer
 * (the channel app's client; no special scope, as Candescent's). Secrets stop here: the password and the identity
 * go on sealed, the securityKey and the code as digests.
 */
export function registrationRouter(deps: RegistrationDeps): Router {
  const { client, config, serverKey } = deps;
  const mfa = createMfaService(deps);
  const router = Router();
  // As Candescent's: no special scope (routes declare `scopes: []`), any valid client token of
  // the channel registers. Each caller (token subject, and client IP behind TRUST_PROXY) spends
  // its own pre-login budget, and each identity its own attempt budget, whatever the token
  // (docs/registration.md).
  mount(router, routes.disclosures, deps, (_req, res) => {
    res.json({ items: currentDisclosures(config) });
  });

  mount(router, routes.register, deps, async (req, res) => {
    const body = validated<RegistrationRequest>(req);
    const requestId = requestKey(req, body.requestId);
    refuseBadRequest(body, config);
    const started = await startRegistration(
      deps,
      body,
      requestId,
      req.principal!.subject,
      starterMemo(req.principal),
      preloginCaller(req, config),
    );
    if (started.replayed) res.setHeader('Idempotent-Replayed', 'true');
    const verifyUrl = `/registrations/${started.registrationId}/verify`;
    res.status(202).location(`/processes/${started.processId}`);
    if (!started.codeSent) {
      // Still checking: the same requestId asks again and gets the same keys.
      res.setHeader('Retry-After', '2');
      return void res.json({
        registrationId: started.registrationId,
        processId: started.processId,
        status: 'CHECKING',
      });
    }
    // The securityKey is in this answer (and its replays) only: the workflow holds its digest.
    res.json({
      registrationId: started.registrationId,
      processId: started.processId,
      status: 'CODE_SENT',
      serviceKey: started.serviceKey,
      securityKey: started.securityKey,
      expiresAt: started.codeSent.expiresAt,
      maskedDestination: started.codeSent.maskedDestination,
      verifyUrl,
    });
  });

  mount(router, routes.verifyRegistration, deps, async (req, res) => {
    const { securityKey, otp } = validated<RegistrationVerifyRequest>(req);
    const registrationId = String(req.params.registrationId);
    if (!UUID.test(registrationId)) throw notFound();
    const handle = client.workflow.getHandle(registrationProcessId(registrationId));
    let view: RegistrationView;
    try {
      view = await handle.query(registrationStateQuery);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw notFound();
      throw e;
    }
    // The key first, whatever the stage: without it no outcome, reason or stage is told,
    // and every wrong key gets the same 403.
    const keyMatches = await handle.query(
      registrationKeyMatchesQuery,
      securityKeyDigest(serverKey, securityKey),
    );
    if (!keyMatches) throw mfaProblem('SECURITY_KEY_INVALID');
    if (view.stage === 'COMPLETED' && view.result) {
      // A retry after a lost answer: the same result, to the holder of the key only.
      res.setHeader('Idempotent-Replayed', 'true');
      return void res.status(201).json(view.result);
    }
    if (view.stage === 'FAILED' && view.failure) throw registrationProblem(view.failure);
    if (!view.codeSent) {
      throw registrationProblem({
        code: 'REGISTRATION_NOT_READY',
        message: 'No code has been sent for this registration yet.',
        details: {},
      });
    }
    try {
      await mfa.verify(view.serviceKey, securityKey, otp, { purpose: 'REGISTRATION' });
    } catch (e) {
      // Verified by an earlier call whose completion was lost: the key was checked first.
      if (!(e instanceof ProblemError && e.code === 'ALREADY_VERIFIED')) throw e;
    }
    let result;
    try {
      result = await client.withDeadline(Date.now() + COMPLETE_BUDGET_MS, () =>
        handle.executeUpdate(completeRegistrationUpdate),
      );
    } catch (e) {
      throw updateRefusal(e) ?? e;
    }
    res.status(201).json(result);
  });

  return router;
}

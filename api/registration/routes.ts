import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { currentDisclosures } from '../../config/disclosures';
import { createMfaService } from '../../clients/mfa-challenge';
import {
  completeRegistration,
  registrationHandle,
  registrationKeyMatches,
  registrationRefusal,
  registrationView,
  startRegistration,
} from '../../clients/registration';
import { Refusal } from '../../clients/refusal';
import type { TokenVerifier } from '../http/auth';
import { requestDigest, requestKey } from '../http/idempotency';
import { validated } from '../http/validate';
import { mount } from '../http/route';
import { routes } from '../routes';
import { preloginCaller } from '../mfa/caller-quota';
import { starterMemo } from '../processes/readers';
import { ProblemError } from '../http/problem';
import type { RegistrationRequest, RegistrationVerifyRequest } from './schema';
import { refuseBadRequest } from './start';

export interface RegistrationDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const started = await startRegistration(deps, body, {
      requestId,
      // Keyed (HMAC under the server key): the password's digest is no password.
      digest: requestDigest(serverKey, { ...body, requestId: undefined }),
      caller: req.principal!.subject,
      starter: starterMemo(req.principal),
      quotaCaller: preloginCaller(req, config),
    });
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
    const handle = registrationHandle(client, registrationId);
    const view = await registrationView(handle);
    if (!view) throw notFound();
    // The key first, whatever the stage: without it no outcome, reason or stage is told,
    // and every wrong key gets the same 403.
    if (!(await registrationKeyMatches(handle, serverKey, securityKey))) {
      throw new Refusal('SECURITY_KEY_INVALID');
    }
    if (view.stage === 'COMPLETED' && view.result) {
      // A retry after a lost answer: the same result, to the holder of the key only.
      res.setHeader('Idempotent-Replayed', 'true');
      return void res.status(201).json(view.result);
    }
    if (view.stage === 'FAILED' && view.failure) throw registrationRefusal(view.failure);
    if (!view.codeSent) {
      throw new Refusal('REGISTRATION_NOT_READY', 'No code has been sent for this registration yet.');
    }
    try {
      await mfa.verify(view.serviceKey, securityKey, otp, { purpose: 'REGISTRATION' });
    } catch (e) {
      // Verified by an earlier call whose completion was lost: the key was checked first.
      if (!(e instanceof Refusal && e.code === 'ALREADY_VERIFIED')) throw e;
    }
    res.status(201).json(await completeRegistration(client, handle));
  });

  return router;
}

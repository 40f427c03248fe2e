import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config';
import { currentDisclosures } from '../config/disclosures';
import { mfaPolicy } from '../config/mfa-policy';
import { securityKeyDigest } from '../lib/mfa-crypto';
import {
  identityContext,
  identityDigest,
  passwordContext,
  registrationKeys,
  sealSecret,
  type RegistrationIdentity,
} from '../lib/registration-crypto';
import { isBusinessCode } from '../messages/failures';
import {
  awaitCodeSentUpdate,
  completeRegistrationUpdate,
  registrationKeyMatchesQuery,
  registrationProcessId,
  registrationStateQuery,
  SELF_REGISTRATION_WORKFLOW,
  type CodeSent,
  type RegistrationFailure,
  type RegistrationView,
  type SelfRegistrationInput,
  type SelfRegistrationResult,
} from '../messages/registration';
import { Channel, ProcessType } from '../messages/search-attributes';
import { startIdempotent, withStartBudget, type StarterMemo } from './process-start';
import { reserveCallerSend, type PreloginCaller } from './quota';
import { Refusal, updateRefusal } from './refusal';
import { isOutcomeUnknown } from './temporal';

/** How long the create waits for the identity check and the code to go out. */
const CODE_SENT_BUDGET_MS = 15_000;
const COMPLETE_BUDGET_MS = 30_000;

/** A registration request as the API validated it. */
export interface NewRegistration {
  username: string;
  password: string;
  identity: RegistrationIdentity;
  acceptedDisclosures: SelfRegistrationInput['acceptedDisclosures'];
  channel: SelfRegistrationInput['channel'];
}

export interface StartedRegistration {
  replayed: boolean;
  registrationId: string;
  processId: string;
  serviceKey: string;
  securityKey: string;
  /** null: the check is still running when the budget ran out. */
  codeSent: CodeSent | null;
}

/** Starts (or, for the same requestId, finds) the registration and waits for its code to go out. */
export async function startRegistration(
  deps: { client: Client; config: Config; serverKey: Buffer },
  body: NewRegistration,
  request: {
    requestId: string;
    /** The request body's keyed digest (requestDigest): the same key with another body is refused. */
    digest: string;
    /** The token subject: a requestId names a registration per caller. */
    caller: string;
    starter: StarterMemo;
    /** Whose pre-login budget a new registration spends. */
    quotaCaller: PreloginCaller;
  },
): Promise<StartedRegistration> {
  const { client, config, serverKey } = deps;
  const { requestId } = request;
  const keys = registrationKeys(serverKey, request.caller, requestId);
  const processId = registrationProcessId(keys.registrationId);
  const input: SelfRegistrationInput = {
    registrationId: keys.registrationId,
    requestId,
    serviceKey: keys.serviceKey,
    securityKeyDigest: securityKeyDigest(serverKey, keys.securityKey),
    username: body.username.toLowerCase(),
    // Sealed here: the workflow, its history and the payload codec's holders see blobs only.
    sealedIdentity: sealSecret(
      serverKey,
      identityContext(keys.registrationId),
      JSON.stringify(body.identity),
    ),
    identityDigest: identityDigest(serverKey, body.identity),
    sealedPassword: sealSecret(serverKey, passwordContext(keys.registrationId), body.password),
    acceptedDisclosures: body.acceptedDisclosures,
    disclosures: currentDisclosures(config),
    channel: body.channel,
    mfaPolicy: mfaPolicy(config),
    identityAttempts: {
      maxPerWindow: config.REGISTRATION_IDENTITY_MAX_PER_WINDOW,
      windowMinutes: config.REGISTRATION_IDENTITY_WINDOW_MINUTES,
      maxPerDay: config.REGISTRATION_IDENTITY_MAX_PER_DAY,
    },
  };
  const started = await withStartBudget(client, () =>
    startIdempotent(client, {
      workflowType: SELF_REGISTRATION_WORKFLOW,
      workflowId: processId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [input],
      requestId,
      digest: request.digest,
      starter: request.starter,
      reusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      searchAttributes: [
        { key: ProcessType, value: 'SELF_REGISTRATION' },
        { key: Channel, value: body.channel },
      ],
      staticSummary: `Self-registration · ${body.channel}`,
      staticDetails: `Request ${requestId}. Steps: identity check → code to the mobile on file → verify → user with the chosen credentials.`,
      // The id is per request: another run under it is this request's own.
      inFlight: () => new Refusal('REGISTRATION_IN_PROGRESS', 'Registration in progress'),
      // Every new registration may send a pre-login code: it spends the caller's budget of
      // those (as POST /mfa/challenges does), which also bounds one caller's identity checks
      // across identities. A replay spends nothing.
      beforeStart: () => reserveCallerSend(deps, request.quotaCaller, processId),
    }),
  );
  const handle = started.handle;
  let codeSent: CodeSent | null = null;
  try {
    codeSent = await client.withDeadline(Date.now() + CODE_SENT_BUDGET_MS, () =>
      handle.executeUpdate(awaitCodeSentUpdate, { updateId: 'code-sent' }),
    );
  } catch (e) {
    const refusal = updateRefusal(e);
    if (refusal) throw refusal;
    if (e instanceof WorkflowNotFoundError) {
      // The run ended before this (replayed) request asked: its final state answers.
      const view = await handle.query(registrationStateQuery);
      if (view.failure) throw registrationRefusal(view.failure);
      codeSent = view.codeSent;
    } else if (isOutcomeUnknown(e)) {
      // The budget ran out, the run goes on: the same requestId asks again.
      codeSent = null;
    } else throw e;
  }
  return { replayed: started.replayed, ...keys, processId, codeSent };
}

/** A registration's failure as a Refusal: an unknown code is REGISTRATION_FAILED. */
export function registrationRefusal(f: RegistrationFailure): Refusal {
  return new Refusal(isBusinessCode(f.code) ? f.code : 'REGISTRATION_FAILED', f.message, f.details);
}

/** The registration's run, if there is one with this id. */
export function registrationHandle(client: Client, registrationId: string): WorkflowHandle {
  return client.workflow.getHandle(registrationProcessId(registrationId));
}

/** Its state; null when no registration has this id. */
export async function registrationView(handle: WorkflowHandle): Promise<RegistrationView | null> {
  try {
    return await handle.query(registrationStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
}

/** Whether the caller holds the registration's securityKey (compared inside the workflow). */
export function registrationKeyMatches(handle: WorkflowHandle, serverKey: Buffer, securityKey: string) {
  return handle.query(registrationKeyMatchesQuery, securityKeyDigest(serverKey, securityKey));
}

/** After the code was verified: the user is created; a refusal comes back as a Refusal. */
export async function completeRegistration(
  client: Client,
  handle: WorkflowHandle,
): Promise<SelfRegistrationResult> {
  try {
    return await client.withDeadline(Date.now() + COMPLETE_BUDGET_MS, () =>
      handle.executeUpdate(completeRegistrationUpdate),
    );
  } catch (e) {
    throw updateRefusal(e) ?? e;
  }
}

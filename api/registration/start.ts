import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import { currentDisclosures } from '../../config/disclosures';
import { mfaPolicy } from '../../config/mfa-policy';
import { securityKeyDigest } from '../../lib/mfa-crypto';
import {
  identityContext,
  identityDigest,
  passwordContext,
  registrationKeys,
  sealSecret,
} from '../../lib/registration-crypto';
import { isBusinessCode } from '../../messages/failures';
import {
  awaitCodeSentUpdate,
  IDENTITY_FACTORS,
  registrationProcessId,
  registrationStateQuery,
  SELF_REGISTRATION_WORKFLOW,
  type CodeSent,
  type RegistrationFailure,
  type SelfRegistrationInput,
} from '../../messages/registration';
import { Channel, ProcessType } from '../../messages/search-attributes';
import { usernameProblem } from '../../rules/username';
import { disclosureVerdict } from '../../rules/disclosures';
import { requestDigest } from '../http/idempotency';
import { reserveCallerSend, type PreloginCaller } from '../mfa/caller-quota';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { BUSINESS_STATUS } from '../http/business-status';
import type { StarterMemo } from '../processes/readers';
import { ProblemError, problems } from '../http/problem';
import { assertPasswordPolicy } from '../http/password-policy';
import type { RegistrationRequest } from './schema';

/** How long the create waits for the identity check and the code to go out. */
const CODE_SENT_BUDGET_MS = 15_000;

/**
 * Every check that needs nothing but the request, before anything starts: the username
 * and password policies, and the disclosures (the same rule the workflow applies).
 */
export function refuseBadRequest(body: RegistrationRequest, config: Config): void {
  // The identity factors the bank requires (name and date of birth always): 400 naming them.
  const missing = config.REGISTRATION_IDENTITY_FACTORS.filter((f) =>
    IDENTITY_FACTORS[f].every((field) => body.identity[field] === undefined),
  );
  if (missing.length) {
    throw problems.validation(
      missing.map((f) => ({ path: `identity.${IDENTITY_FACTORS[f][0]}`, message: `required (${f})` })),
    );
  }
  const username = body.username.toLowerCase();
  const uProblem = usernameProblem(username, '');
  if (uProblem) {
    throw new ProblemError(422, 'USERNAME_POLICY', 'Username not allowed', `The username ${uProblem}.`, {
      field: 'username',
      reason: uProblem,
    });
  }
  assertPasswordPolicy(body.password, username);
  const verdict = disclosureVerdict(currentDisclosures(config), body.acceptedDisclosures);
  if (!verdict.accepted) {
    throw new ProblemError(
      422,
      verdict.code,
      'Required disclosures not accepted',
      verdict.message,
      verdict.extensions,
    );
  }
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
  body: RegistrationRequest,
  requestId: string,
  caller: string,
  starter: StarterMemo,
  /** preloginCaller(): whose pre-login budget a new registration spends. */
  quotaCaller: PreloginCaller,
): Promise<StartedRegistration> {
  const { client, config, serverKey } = deps;
  const keys = registrationKeys(serverKey, caller, requestId);
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
      // Keyed (HMAC under the server key): the password's digest is no password.
      digest: requestDigest(serverKey, { ...body, requestId: undefined }),
      starter,
      reusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      searchAttributes: [
        { key: ProcessType, value: 'SELF_REGISTRATION' },
        { key: Channel, value: body.channel },
      ],
      staticSummary: `Self-registration · ${body.channel}`,
      staticDetails: `Request ${requestId}. Steps: identity check → code to the mobile on file → verify → user with the chosen credentials.`,
      // The id is per request: another run under it is this request's own.
      inFlight: () => new ProblemError(409, 'REGISTRATION_IN_PROGRESS', 'Registration in progress'),
      // Every new registration may send a pre-login code: it spends the caller's budget of
      // those (as POST /mfa/challenges does), which also bounds one caller's identity checks
      // across identities. A replay spends nothing.
      beforeStart: () => reserveCallerSend(deps, quotaCaller, processId),
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
    if (!(e instanceof WorkflowNotFoundError)) {
      if (isDeadline(e)) codeSent = null;
      else throw e;
    } else {
      // The run ended before this (replayed) request asked: its final state answers.
      const view = await handle.query(registrationStateQuery);
      if (view.failure) throw registrationProblem(view.failure);
      codeSent = view.codeSent;
    }
  }
  return { replayed: started.replayed, ...keys, processId, codeSent };
}

function isDeadline(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  // gRPC DEADLINE_EXCEEDED (4): the budget ran out, the run goes on.
  return code === 4 || /deadline/i.test(String((e as Error).message));
}

/** A business refusal from a registration Update, as problem+json; else undefined. */
export function updateRefusal(e: unknown): ProblemError | undefined {
  if (!(e instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure) || !isBusinessCode(cause.type ?? undefined)) return undefined;
  return registrationProblem({
    code: cause.type as string,
    message: cause.message,
    details: (cause.details?.[0] ?? {}) as Record<string, unknown>,
  });
}

export function registrationProblem(f: RegistrationFailure): ProblemError {
  const known = isBusinessCode(f.code) ? BUSINESS_STATUS[f.code] : undefined;
  const status = known?.status ?? 502;
  const retryAfter =
    typeof f.details.retryAfterSeconds === 'number' ? f.details.retryAfterSeconds : undefined;
  return new ProblemError(
    status,
    known ? f.code : 'REGISTRATION_FAILED',
    known?.title ?? 'Registration failed',
    f.message,
    f.details,
    retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {},
  );
}

import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import type { MfaProofActivities, QuotaActivities } from '../../activities/types';
import { mfaProcessId, type MfaChallengeInput } from '../../messages/mfa';
import {
  awaitCodeSentUpdate,
  completeRegistrationUpdate,
  registrationKeyMatchesQuery,
  registrationStateQuery,
  type CodeSent,
  type RegistrationFailure,
  type RegistrationStage,
  type SelfRegistrationInput,
  type SelfRegistrationResult,
} from '../../messages/registration';
import { CustomerId, MfaPurpose, ProcessType } from '../../messages/search-attributes';
import { failureCode, ProcessTrail } from '../process-trail';
import { coreBankingOptions, registrationEntityOptions, lookupOptions } from '../activity-options';
import { eligibilityVerdict } from '../../rules/eligibility';
import { disclosureVerdict } from '../../rules/disclosures';
import { constantTimeEqual } from '../../rules/constant-time';
import { MfaChallenge } from '../mfa/mfa-challenge';

const entities = proxyActivities<QuotaActivities & MfaProofActivities>(registrationEntityOptions);
const lookup = proxyActivities<CoreBankingUserActivities>(lookupOptions);
const core = proxyActivities<CoreBankingUserActivities & CredentialActivities>(coreBankingOptions);

/** A verify typed as the code expires still completes: the run waits this long past the expiry. */
export const COMPLETE_GRACE_MS = 60_000;

/** Codes a failed step passes to the caller as they are; anything else is REGISTRATION_FAILED. */
const PASSED_THROUGH = new Set([
  'IDENTITY_ATTEMPTS_EXCEEDED',
  'DESTINATION_RATE_LIMITED',
  'NO_REGISTERED_CONTACT',
  'OTP_DELIVERY_FAILED',
  'USERNAME_TAKEN',
  'ALREADY_REGISTERED',
]);

/** The verdict as the trail states it: eligible, or the code and its reason. */
function eligibilityDetail(verdict: ReturnType<typeof eligibilityVerdict>): string {
  if (verdict.eligible) return 'eligible';
  const reason = verdict.extensions.reason;
  return typeof reason === 'string' ? `${verdict.code} ${reason}` : verdict.code;
}

/** Nothing about which field differed, nor whether a customer exists at all. */
const NOT_VERIFIED: RegistrationFailure = {
  code: 'IDENTITY_NOT_VERIFIED',
  message: 'The identity could not be verified.',
  details: {},
};

/**
 * Self-registration (docs/registration.md): disclosures → reserve an identity attempt →
 * match the identity in core banking → eligibility → a code to the mobile on file (an
 * MfaChallenge child) → wait for the verified code (the `complete` Update) → consume it →
 * create the user with the chosen username → set the chosen password → record the
 * disclosure evidence. The identity and the password stay sealed throughout.
 */
export async function SelfRegistration(input: SelfRegistrationInput): Promise<SelfRegistrationResult> {
  const trail = new ProcessTrail('SELF_REGISTRATION');
  const processId = workflowInfo().workflowId;
  const businessKey = `${processId}:${workflowInfo().firstExecutionRunId}`;
  let stage: RegistrationStage = 'CHECKING';
  let failure: RegistrationFailure | null = null;
  let codeSent: CodeSent | null = null;
  let result: SelfRegistrationResult | null = null;
  let customerId = '';
  let completion: Promise<SelfRegistrationResult> | undefined;

  const fail = (f: RegistrationFailure) => {
    failure = f;
    stage = 'FAILED';
  };

  setHandler(registrationStateQuery, () => ({
    registrationId: input.registrationId,
    stage,
    serviceKey: input.serviceKey,
    codeSent,
    result,
    failure,
  }));
  setHandler(
    registrationKeyMatchesQuery,
    (digest: string) => typeof digest === 'string' && constantTimeEqual(digest, input.securityKeyDigest),
  );
  setHandler(awaitCodeSentUpdate, async () => {
    await condition(() => stage !== 'CHECKING');
    if (codeSent) return codeSent;
    throw asFailure(failure ?? NOT_VERIFIED);
  });

  const complete = async (): Promise<SelfRegistrationResult> => {
    stage = 'COMPLETING';
    try {
      await trail.step('CONSUME_CODE', () =>
        entities.consumeRegistrationCode({ serviceKey: input.serviceKey, consumerProcessId: processId }),
      );
    } catch (err) {
      // Not verified (yet): nothing happened, the customer may still verify.
      stage = 'CODE_SENT';
      throw err;
    }
    try {
      const user = await trail.step(
        'CREATE_IB_USER',
        () =>
          core.createRegisteredUser({
            businessKey,
            customerId,
            username: input.username,
            channel: input.channel,
            acceptedDisclosures: input.disclosures.map((d) => d.id),
          }),
        (u) => `userId=${u.userId} status=${u.status}`,
      );
      try {
        await trail.step('SET_PASSWORD', () =>
          core.setRegisteredPassword({
            registrationId: input.registrationId,
            userId: user.userId,
            sealedPassword: input.sealedPassword,
          }),
        );
        await trail.step(
          'RECORD_DISCLOSURES',
          () =>
            core.recordDisclosureAcceptance({
              customerId,
              businessKey: `${businessKey}:disclosures`,
              userId: user.userId,
              channel: input.channel,
              acceptedAt: workflowInfo().startTime.toISOString(),
              disclosures: input.disclosures.map((d) => ({ id: d.id, version: d.version, sha256: d.sha256 })),
            }),
          (r) => `acceptanceId=${r.acceptanceId}`,
        );
      } catch (err) {
        await CancellationScope.nonCancellable(() =>
          trail.step('COMPENSATE_DEACTIVATE_USER', () =>
            core.deactivateRegisteredUser({
              businessKey,
              reason: `registration failed: ${failureCode(err)}`,
            }),
          ),
        );
        throw err;
      }
      result = {
        processId,
        registrationId: input.registrationId,
        status: 'COMPLETED',
        userId: user.userId,
        username: user.username,
      };
      stage = 'COMPLETED';
      return result;
    } catch (err) {
      const code = failureCode(err);
      fail({
        code: PASSED_THROUGH.has(code) ? code : 'REGISTRATION_FAILED',
        message: PASSED_THROUGH.has(code) ? messageOf(err) : `Registration failed: ${code}.`,
        details: { reason: code },
      });
      throw asFailure(failure as unknown as RegistrationFailure);
    }
  };

  setHandler(
    completeRegistrationUpdate,
    () => {
      completion ??= complete().catch((err: unknown) => {
        completion = undefined;
        throw err;
      });
      return completion;
    },
    {
      validator: () => {
        if (stage === 'FAILED') throw asFailure(failure ?? NOT_VERIFIED);
        if (stage === 'CHECKING') {
          throw asFailure({
            code: 'REGISTRATION_NOT_READY',
            message: 'No code has been sent for this registration yet.',
            details: {},
          });
        }
      },
    },
  );

  // Handlers change it: read it through a call, not TypeScript's narrowing.
  const now = (): RegistrationStage => stage;
  await checkAndSend();

  if (now() === 'CODE_SENT' && codeSent) {
    const deadline = Date.parse((codeSent as CodeSent).expiresAt) + COMPLETE_GRACE_MS;
    for (;;) {
      const settled = () => now() === 'COMPLETED' || now() === 'FAILED';
      if (settled()) break;
      if (completion) {
        await condition(() => settled() || completion === undefined);
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        trail.record('AWAIT_CODE', 'FAILED', 'REGISTRATION_EXPIRED');
        fail({
          code: 'REGISTRATION_EXPIRED',
          message: 'The code was not verified in time: start the registration again.',
          details: {},
        });
        break;
      }
      await condition(() => settled() || completion !== undefined, remaining);
    }
  }

  await condition(allHandlersFinished);
  if (now() === 'COMPLETED' && result) {
    trail.finish('COMPLETED', `userId=${(result as SelfRegistrationResult).userId}`);
    return result;
  }
  const final = failure ?? NOT_VERIFIED;
  trail.finish('FAILED', final.code);
  throw asFailure(final);

  async function checkAndSend(): Promise<void> {
    // The API checked the same rule; the workflow holds to it on its own input too.
    const disclosures = disclosureVerdict(input.disclosures, input.acceptedDisclosures);
    if (!disclosures.accepted) {
      trail.record('CHECK_DISCLOSURES', 'FAILED', disclosures.code);
      return fail({ code: disclosures.code, message: disclosures.message, details: disclosures.extensions });
    }
    try {
      await trail.step('RESERVE_IDENTITY_ATTEMPT', () =>
        entities.reserveIdentityAttempt({
          identityDigest: input.identityDigest,
          ref: processId,
          policy: input.identityAttempts,
        }),
      );
      const match = await trail.step(
        'MATCH_IDENTITY',
        () =>
          lookup.matchRegistrationIdentity({
            registrationId: input.registrationId,
            sealedIdentity: input.sealedIdentity,
            username: input.username,
          }),
        (m) => (m.matched ? `customerId=${m.customerId}` : 'no match'),
      );
      if (!match.matched) return fail(NOT_VERIFIED);
      customerId = match.customerId;
      upsertSearchAttributes([{ key: CustomerId, value: customerId }]);
      const facts = await trail.step(
        'CHECK_ELIGIBILITY',
        () => lookup.checkEligibility({ customerId, businessKey }),
        // Why not, for ops only (a detail of the step: no command changes).
        (f) => eligibilityDetail(eligibilityVerdict(f)),
      );
      const verdict = eligibilityVerdict(facts);
      if (!verdict.eligible) {
        // A customer who is not eligible (no product, inactive, no mobile) answers as a
        // mismatch: its reason would tell a caller who guessed an identity that it is a
        // customer's. ALREADY_REGISTERED still says so (docs/security.md, residual risks).
        if (verdict.code === 'CUSTOMER_NOT_ELIGIBLE') return fail(NOT_VERIFIED);
        return fail({ code: verdict.code, message: verdict.message, details: verdict.extensions });
      }
      if (match.usernameTaken) {
        trail.record('CHECK_USERNAME', 'FAILED', 'USERNAME_TAKEN');
        return fail({
          code: 'USERNAME_TAKEN',
          message: 'This username is taken: choose another.',
          details: { field: 'username' },
        });
      }
      await trail.step('START_CHALLENGE', () => startChallenge(input, customerId));
      const challenge = await trail.step(
        'SEND_CODE',
        () => entities.awaitRegistrationCode({ serviceKey: input.serviceKey }),
        (c) => `challenge ${c.status}`,
      );
      const masked = challenge.customerCommunication.phone[0]?.masked ?? '';
      codeSent = {
        registrationId: input.registrationId,
        processId,
        serviceKey: input.serviceKey,
        status: 'CODE_SENT',
        expiresAt: challenge.expiresAt,
        maskedDestination: masked,
        challenge,
      };
      stage = 'CODE_SENT';
    } catch (err) {
      const code = failureCode(err);
      fail({
        code: PASSED_THROUGH.has(code) ? code : 'REGISTRATION_FAILED',
        message: PASSED_THROUGH.has(code) ? messageOf(err) : `Registration failed: ${code}.`,
        details: detailsOf(err),
      });
    }
  }
}

/** The code goes out through the MfaChallenge machinery, to the mobile on file of `customerId`. */
async function startChallenge(input: SelfRegistrationInput, customerId: string): Promise<void> {
  const challenge: MfaChallengeInput = {
    serviceKey: input.serviceKey,
    purpose: 'REGISTRATION',
    customerId,
    securityKeyDigest: input.securityKeyDigest,
    policy: input.mfaPolicy,
  };
  try {
    await startChild(MfaChallenge, {
      workflowId: mfaProcessId(input.serviceKey),
      args: [challenge],
      // The challenge keeps its own lifetime (late-call grace) after the registration ends.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: ProcessType, value: 'MFA_CHALLENGE' },
        { key: MfaPurpose, value: 'REGISTRATION' },
      ],
      staticSummary: 'MFA challenge · REGISTRATION',
    });
  } catch (err) {
    // A reset run meets the challenge its first run started: that one is ours.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

function asFailure(f: RegistrationFailure): ApplicationFailure {
  return ApplicationFailure.create({
    type: f.code,
    message: f.message,
    nonRetryable: true,
    details: [f.details],
  });
}

function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof ApplicationFailure) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  return applicationFailureIn(err)?.message ?? 'Registration failed.';
}

function detailsOf(err: unknown): Record<string, unknown> {
  const details = applicationFailureIn(err)?.details?.[0];
  return details && typeof details === 'object' ? (details as Record<string, unknown>) : {};
}

import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import type { LinkedSystemActivities } from '../../activities/linked-systems';
import type { MfaProofActivities } from '../../activities/types';
import type { OnboardIbUserInput, OnboardIbUserResult } from '../../messages/onboarding';
import { firstTimePasswordIssuance } from '../../messages/password-expiry';
import { failureCode, ProcessTrail } from '../process-trail';
import {
  compensationOptions,
  computeOptions,
  coreBankingOptions,
  messageOptions,
  entityUpdateOptions,
  passwordExpiryOptions,
  webhookOptions,
} from '../activity-options';
import { awaitAuthorisation } from './await-authorisation';
import { disclosureVerdict } from '../../rules/disclosures';
import { eligibilityVerdict } from '../../rules/eligibility';
import { starterOf } from '../starter';
import { localFirst } from '../local-first';
import { UserCreatedMilestone } from './milestone';
import { businessFailure } from '../business-failure';

const compensation = proxyActivities<CoreBankingUserActivities>(compensationOptions);
/** The maker-checker poll waits on timers anyway: regular activities in every run. */
const authorisation = proxyActivities<CoreBankingUserActivities>(coreBankingOptions);
/** The phone proof is consumed like every other proof (a regular activity, retried as theirs). */
const proofs = proxyActivities<MfaProofActivities>(entityUpdateOptions);

/**
 * The create, as core banking's other calls, except on a cancel: no new attempt starts and
 * a cancel takes effect within one attempt, not the 2 h budget. A regular attempt on its way
 * is waited for (it runs to its end; a user it made still comes back, and the next step
 * deactivates it). A local attempt is cut at once (localOptions keeps the default
 * TRY_CANCEL): its adapter aborts the call and reports a retryable failure, which the SDK
 * would retry if it waited; whatever it left is found by business key (LATE_CREATE_RECHECK).
 */
const createOptions: ActivityOptions = {
  ...coreBankingOptions,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * How long after a cancelled create the business key is looked up once more: longer than
 * the ESB takes to commit a create it has received (docs/esb-contract.md, Idempotency), so
 * a create whose call was aborted by the cancel but committed after the first look-up is
 * still found and deactivated.
 */
const LATE_CREATE_RECHECK = '5 minutes';

/**
 * The steps' activities: local first (workflows/local-first.ts), most onboardings in a
 * single workflow task, except a call for which `regularNow()` says the workflow task must
 * complete (the milestone's answer waits in it). The sends (`channelSync`, `sms`) are
 * regular activities: their receivers cannot de-duplicate them, and a local result is only
 * recorded when the whole task completes (a slow gateway, a cut local attempt or a task
 * that fails after it would send again).
 */
function stepActivities(regularNow: () => boolean) {
  const proxy = <A extends object>(options: ActivityOptions): A => localFirst<A>(options, { regularNow });
  return {
    core: proxy<CoreBankingUserActivities>(coreBankingOptions),
    create: proxy<CoreBankingUserActivities>(createOptions),
    channelSync: proxyActivities<LinkedSystemActivities>(webhookOptions),
    sms: proxyActivities<CredentialActivities>(messageOptions),
    compute: proxy<CredentialActivities>(computeOptions),
    evidence: proxy<CoreBankingUserActivities>(coreBankingOptions),
    expiry: proxy<CredentialActivities>(passwordExpiryOptions),
  };
}

/**
 * Opens an IB/MB user: eligibility → create in core banking (→ maker-checker wait)
 * → username to the channel → first-time password by SMS. A failure after the user
 * exists deactivates it (never deletes) and ends the run FAILED with the reason.
 */
export async function OnboardIbUser(input: OnboardIbUserInput): Promise<OnboardIbUserResult> {
  const milestone = new UserCreatedMilestone();
  try {
    const result = await onboard(input, milestone);
    await milestone.settled();
    return result;
  } catch (err) {
    milestone.fail(err);
    await milestone.settled();
    throw err;
  }
}

async function onboard(
  input: OnboardIbUserInput,
  milestone: UserCreatedMilestone,
): Promise<OnboardIbUserResult> {
  const trail = new ProcessTrail('ONBOARD_IB_USER');
  const processId = workflowInfo().workflowId;
  // One user per onboarding: the first run's id survives retries, resets and continue-as-new
  // (for a run never reset it is its own run id, the key runs in flight already use), while a
  // later onboarding of the same customer (same workflow id) gets a key of its own.
  const businessKey = `${processId}:${workflowInfo().firstExecutionRunId}`;
  const { core, create, channelSync, sms, compute, evidence, expiry } = stepActivities(() =>
    milestone.releaseTask(),
  );

  // The API applied the same rule.
  const disclosures = input.disclosures && disclosureVerdict(input.disclosures, input.acceptedDisclosures);
  if (disclosures && !disclosures.accepted) {
    trail.finish('FAILED', disclosures.code);
    throw businessFailure(disclosures.code, disclosures.message, disclosures.extensions);
  }

  const facts = await trail.step('CHECK_ELIGIBILITY', () =>
    core.checkEligibility({
      customerId: input.customerId,
      phone: input.phone,
      email: input.email,
      credentialDelivery: input.credentialDelivery,
      businessKey,
      // Absent for retail customers.
      ...(input.userReference !== undefined && { userReference: input.userReference }),
      ...(input.linkedCustomerIds?.length && { linkedCustomerIds: input.linkedCustomerIds }),
    }),
  );
  const verdict = eligibilityVerdict(facts);
  if (!verdict.eligible) {
    trail.finish('FAILED', verdict.code);
    throw businessFailure(verdict.code, verdict.message, verdict.extensions);
  }

  // The proof of the phone on file, used once: nothing exists yet when it is refused.
  let provenPhoneDigest: string | undefined;
  if (input.phoneProofServiceKey) {
    const serviceKey = input.phoneProofServiceKey;
    try {
      provenPhoneDigest = (
        await trail.step('CONSUME_PHONE_PROOF', () =>
          proofs.consumePhoneProof({
            serviceKey,
            customerId: input.customerId,
            consumerProcessId: processId,
          }),
        )
      ).phoneDigest;
    } catch (err) {
      const reason = failureCode(err);
      trail.finish('FAILED', 'MFA_NOT_VERIFIED');
      throw businessFailure(
        'MFA_NOT_VERIFIED',
        'The phoneProof is not a verified, unused ONBOARDING challenge of the mobile on file.',
        { reason },
      );
    }
  }

  let user;
  try {
    // A cancel stops the retries but waits for the attempt on its way (createOptions): a
    // user it made comes back, and the next step sees the cancel and deactivates it.
    user = await trail.step(
      'CREATE_IB_USER',
      () =>
        create.createIbUser({
          businessKey,
          customerId: input.customerId,
          channel: input.channel,
          preferredUsername: input.preferredUsername,
          // Codes, as before: the versions go into the evidence record.
          acceptedDisclosures: input.acceptedDisclosures.map((d) => (typeof d === 'string' ? d : d.id)),
          ...(input.userReference !== undefined && { userReference: input.userReference }),
          ...(input.linkedCustomerIds?.length && { linkedCustomerIds: input.linkedCustomerIds }),
        }),
      (u) => `userId=${u.userId} status=${u.status}${u.existed ? ' (found by business key)' : ''}`,
    );
  } catch (err) {
    // The create may have committed before it failed (its budget ran out on a lost answer):
    // a user under this onboarding's key is deactivated, or the customer stays registered for ever.
    const deactivateByKey = (step: string) =>
      trail.step(
        step,
        () =>
          compensation.deactivateUserByBusinessKey({
            businessKey,
            reason: `onboarding failed: ${failureCode(err)}`,
          }),
        (r) => (r.userId ? `userId=${r.userId}` : 'no user was created'),
      );
    const cancelled = CancellationScope.current().consideredCancelled;
    await CancellationScope.nonCancellable(async () => {
      await deactivateByKey('COMPENSATE_DEACTIVATE_USER');
      // Cancelled: the attempt the cancel cut (a local one aborts its call) may have reached
      // the ESB, which can still commit it after the look-up above. Once more, later.
      if (cancelled) {
        trail.record('RECHECK_DEACTIVATE_USER', 'WAITING', `in ${LATE_CREATE_RECHECK}`);
        await sleep(LATE_CREATE_RECHECK);
        await deactivateByKey('RECHECK_DEACTIVATE_USER');
      }
    });
    throw err;
  }

  // Cancelled during the create: no milestone for a user about to be deactivated.
  const cancelled = CancellationScope.current().consideredCancelled;
  if (!cancelled)
    milestone.reach({
      processId,
      status: user.status === 'PENDING_AUTHORISATION' ? 'PENDING_AUTHORISATION' : 'USER_CREATED',
      customerId: input.customerId,
      userId: user.userId,
      username: user.username,
    });
  try {
    // Rejects with the cancellation at once (the scope is cancelled): compensated below.
    if (cancelled) await CancellationScope.current().cancelRequested;
    if (user.status === 'PENDING_AUTHORISATION') {
      trail.record('AWAIT_AUTHORISATION', 'WAITING', `timeout ${input.authorisationTimeoutHours} h`);
      await trail.step('AWAIT_AUTHORISATION', () =>
        awaitAuthorisation(
          () => authorisation.getIbUserStatus({ userId: user.userId }),
          input.authorisationTimeoutHours * 3_600_000,
        ),
      );
    }
    if (disclosures?.accepted) {
      const accepted = disclosures.disclosures;
      await trail.step(
        'RECORD_DISCLOSURES',
        () =>
          evidence.recordDisclosureAcceptance({
            customerId: input.customerId,
            businessKey: `${businessKey}:disclosures`,
            userId: user.userId,
            channel: input.channel,
            acceptedAt: workflowInfo().startTime.toISOString(),
            disclosures: accepted,
          }),
        (r) => `acceptanceId=${r.acceptanceId}`,
      );
    }
    await trail.step('SYNC_USERNAME', () =>
      channelSync.syncUsernameToChannel({
        // Per user: a reset run re-announces the same user under the same id, a later
        // onboarding of the customer announces its new user under a new one.
        webhookId: `${processId}.${user.userId}.username-sync`,
        processId,
        customerId: input.customerId,
        userId: user.userId,
        username: user.username,
        channel: input.channel,
        // An ops reset's run (not the run the request started): the customer may have logged
        // in with this username since, and the channel be told it twice.
        ...(workflowInfo().runId !== workflowInfo().originalExecutionRunId && { unlessLoggedIn: true }),
      }),
    );
    const delivery = await trail.step(
      'SEND_FIRST_TIME_PASSWORD',
      async () => {
        // The password is made once and kept sealed, so every attempt sends the same one.
        const { sealed: sealedPassword } = await compute.sealFirstTimePassword({
          processId,
          userId: user.userId,
        });
        return sms.issueFirstTimePassword({
          processId,
          customerId: input.customerId,
          userId: user.userId,
          username: user.username,
          sealedPassword,
          delivery: input.credentialDelivery,
          // Only an argument (and only with a proof): the password goes to the proven number.
          ...(provenPhoneDigest !== undefined && { provenPhoneDigest }),
        });
      },
      (d) => `${d.channel.toLowerCase()} ${d.status} via ${d.provider}`,
    );
    let passwordExpiry;
    const ttlMinutes = input.firstTimePasswordTtlMinutes;
    // Not sent (the customer's own password is in force): no timer to revoke it.
    if (ttlMinutes && delivery.status === 'SENT') {
      // The password is out: a durable timer per user revokes it unless the first login
      // comes first. A failure here leaves the user as it is (the password is delivered);
      // the trail shows it for ops.
      const expiresAt = new Date(Date.now() + ttlMinutes * 60_000).toISOString();
      passwordExpiry = await trail
        .step(
          'ARM_PASSWORD_EXPIRY',
          () =>
            expiry.armPasswordExpiry({
              userId: user.userId,
              issued: {
                ref: businessKey,
                issuedBy: processId,
                ttlMinutes,
                passwordIssuedBy: firstTimePasswordIssuance(processId, user.userId),
              },
              startedBy: starterOf(workflowInfo().memo),
            }),
          (r) => `${r.processId} expires at ${expiresAt}`,
        )
        .then((r) => ({ processId: r.processId, expiresAt }))
        .catch(() => undefined);
    }
    trail.finish('COMPLETED', `userId=${user.userId}`);
    return {
      processId,
      status: 'COMPLETED',
      customerId: input.customerId,
      userId: user.userId,
      username: user.username,
      credentialDelivery: { channel: delivery.channel, to: delivery.to, status: delivery.status },
      ...(passwordExpiry && { passwordExpiry }),
    };
  } catch (err) {
    const reason = failureCode(err);
    const failedAt = trail.lastFailedStep() ?? 'an unknown step';
    // A rejected user is already unusable; anything else that exists is deactivated.
    if (reason !== 'AUTHORISATION_REJECTED') {
      await CancellationScope.nonCancellable(() =>
        trail.step('COMPENSATE_DEACTIVATE_USER', () =>
          compensation.deactivateIbUser({ userId: user.userId, reason: `onboarding failed: ${reason}` }),
        ),
      );
    }
    trail.finish('FAILED', reason);
    throw ApplicationFailure.create({
      type:
        reason === 'AUTHORISATION_REJECTED' || reason === 'AUTHORISATION_TIMEOUT'
          ? reason
          : 'ONBOARDING_FAILED',
      message: `Onboarding failed at ${failedAt}: ${reason}; the IB/MB user was ${
        reason === 'AUTHORISATION_REJECTED' ? 'rejected' : 'deactivated'
      }.`,
      nonRetryable: true,
      details: [{ reason, userId: user.userId, compensated: reason !== 'AUTHORISATION_REJECTED' }],
    });
  }
}

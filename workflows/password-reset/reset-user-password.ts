import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import type { MfaProofActivities } from '../../activities/types';
import type { ResetUserPasswordInput, ResetUserPasswordResult } from '../../messages/password-reset';
import { firstTimePasswordIssuance } from '../../messages/password-expiry';
import {
  computeOptions,
  coreBankingOptions,
  messageOptions,
  entityUpdateOptions,
  passwordExpiryOptions,
} from '../activity-options';
import { notifyContacts } from '../credential-notices';
import { starterOf } from '../starter';
import { businessFailure } from '../business-failure';
import { failureCode, ProcessTrail } from '../process-trail';
import { consumerRef } from '../consumer-ref';

const core = proxyActivities<CoreBankingUserActivities>(coreBankingOptions);
const mfa = proxyActivities<MfaProofActivities>(entityUpdateOptions);
const expiry = proxyActivities<CredentialActivities>(passwordExpiryOptions);
const compute = proxyActivities<CredentialActivities>(computeOptions);
const delivery = proxyActivities<CredentialActivities>(messageOptions);

/**
 * Resets an IB/MB user's password: look up the user (ACTIVE only) → consume the VERIFIED
 * RESET_PASSWORD challenge → restart the first-time password's expiry → set a new
 * first-time password in core banking (the old one stops working) and deliver it by SMS
 * or email → notify the other contacts on file. The password is derived from this reset's
 * identity and sealed, so a retry or an ops reset of the run sets and sends the same one
 * under the same message id; it is never in history in clear.
 */
export async function ResetUserPassword(input: ResetUserPasswordInput): Promise<ResetUserPasswordResult> {
  const trail = new ProcessTrail('RESET_PASSWORD');
  const processId = workflowInfo().workflowId;
  // The first run's id survives retries and ops resets: one password per reset request.
  const ref = `${processId}:${workflowInfo().firstExecutionRunId}`;
  const sideEffectRef = `${processId}.${workflowInfo().firstExecutionRunId}`;
  try {
    const owner = await trail.step(
      'LOOKUP',
      () => core.lookupCredentialOwner({ userId: input.userId }),
      (o) => (o.found ? `customer ${o.customerId}; status ${o.status}` : 'not found'),
    );
    if (!owner.found) throw businessFailure('USER_NOT_FOUND', 'No IB/MB user with that id.');
    // A locked or closed user gets no new password (unlock first): nothing is consumed.
    if (owner.status !== 'ACTIVE') {
      throw businessFailure('USER_NOT_ACTIVE', 'The IB/MB user is not active.', { userStatus: owner.status });
    }

    await trail.step('CONSUME_MFA', () =>
      mfa.consumeMfaChallenge({
        serviceKey: input.mfaServiceKey,
        purpose: 'RESET_PASSWORD',
        userId: input.userId,
        // Its code went to the contacts on file: the phone on file now, if there is one.
        phone: owner.contacts.phone,
        consumerProcessId: consumerRef(),
      }),
    );

    // Before the password is set: an older timer can then never revoke the new password.
    const ttlMinutes = input.firstTimePasswordTtlMinutes;
    const expiresAt = new Date(Date.now() + ttlMinutes * 60_000).toISOString();
    const armed = await trail.step(
      'ARM_PASSWORD_EXPIRY',
      () =>
        expiry.armPasswordExpiry({
          userId: input.userId,
          issued: {
            ref,
            issuedBy: processId,
            ttlMinutes,
            passwordIssuedBy: firstTimePasswordIssuance(ref, input.userId),
          },
          startedBy: starterOf(workflowInfo().memo),
        }),
      (r) => `${r.processId} expires at ${expiresAt}`,
    );

    const sent = await trail.step(
      'SEND_FIRST_TIME_PASSWORD',
      async () => {
        const { sealed } = await compute.sealFirstTimePassword({ processId: ref, userId: input.userId });
        return delivery
          .issueFirstTimePassword({
            processId: ref,
            customerId: owner.customerId,
            userId: input.userId,
            username: '',
            sealedPassword: sealed,
            delivery: input.credentialDelivery,
            messageRef: sideEffectRef,
            // Only over the password the lookup saw.
            ...(owner.passwordSetAt !== undefined && { ifPasswordSetAt: owner.passwordSetAt }),
          })
          .catch((err: unknown) => {
            // Locked or closed since the lookup: core banking refused the password.
            if (failureCode(err) === 'INVALID_STATE') {
              throw businessFailure('USER_NOT_ACTIVE', 'The IB/MB user is no longer active.', {});
            }
            throw err;
          });
      },
      (d) => `${d.channel.toLowerCase()} ${d.status} via ${d.provider}`,
    );

    // Nothing set (the customer chose their own password since): nothing to tell them about.
    const notifications =
      sent.status === 'SENT'
        ? await notifyContacts(trail, owner, sideEffectRef, 'PASSWORD_RESET', sent.channel)
        : [];
    trail.finish('COMPLETED', `userId=${input.userId}`);
    return {
      processId,
      status: 'COMPLETED',
      userId: input.userId,
      credentialDelivery: { channel: sent.channel, to: sent.to, status: sent.status },
      passwordExpiry: { processId: armed.processId, expiresAt },
      notifications,
    };
  } catch (err) {
    trail.finish('FAILED', failureCode(err));
    throw err;
  }
}

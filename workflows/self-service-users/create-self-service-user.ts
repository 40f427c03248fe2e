import { CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { SelfServiceUserActivities } from '../../activities/self-service-users';
import type {
  CreateSelfServiceUserInput,
  CreateSelfServiceUserResult,
} from '../../messages/self-service-users';
import { failureCode, ProcessTrail } from '../process-trail';
import { compensationOptions, computeOptions, coreBankingOptions, messageOptions } from '../activity-options';
import { eligibilityVerdict } from '../../rules/eligibility';
import { businessFailure } from '../business-failure';

const core = proxyActivities<CoreBankingUserActivities & SelfServiceUserActivities>(coreBankingOptions);
const compute = proxyActivities<SelfServiceUserActivities>(computeOptions);
const messages = proxyActivities<SelfServiceUserActivities>(messageOptions);
const compensation = proxyActivities<CoreBankingUserActivities & SelfServiceUserActivities>(
  compensationOptions,
);

/**
 * Opens a business's self-service (API) user, MBanq's `POST /v1/users`: the business and
 * its clients checked in core banking → the self-service user in core banking → its login
 * in the identity provider (password, profile, clients, roles) → a generated password to
 * the user. Every write is keyed by this process (one user per creation, one password per
 * issuance, one message id), so retries and ops resets repeat nothing. A failure after the
 * user exists deactivates it in core banking and disables its login.
 */
export async function CreateSelfServiceUser(
  input: CreateSelfServiceUserInput,
): Promise<CreateSelfServiceUserResult> {
  const trail = new ProcessTrail('CREATE_SELF_SERVICE_USER');
  const processId = workflowInfo().workflowId;
  // The first run's id survives retries and resets; a later creation of the name gets its own.
  const businessKey = `${processId}:${workflowInfo().firstExecutionRunId}`;
  const [businessCustomerId, ...linked] = input.clients as [string, ...string[]];

  const facts = await trail.step('CHECK_ELIGIBILITY', () =>
    core.checkEligibility({
      customerId: businessCustomerId,
      businessKey,
      userReference: input.username,
      linkedCustomerIds: linked,
    }),
  );
  const verdict = eligibilityVerdict(facts);
  if (!verdict.eligible) {
    trail.finish('FAILED', verdict.code);
    throw businessFailure(verdict.code, verdict.message, verdict.extensions);
  }

  let user;
  try {
    user = await trail.step(
      'CREATE_IB_USER',
      () =>
        core.createSelfServiceIbUser({
          businessKey,
          customerId: businessCustomerId,
          username: input.username,
          linkedCustomerIds: linked,
        }),
      (u) => `userId=${u.userId}${u.existed ? ' (found by business key)' : ''}`,
    );
  } catch (err) {
    // The create may have committed before its answer was lost: a user under the key is deactivated.
    await CancellationScope.nonCancellable(() =>
      trail.step('COMPENSATE_DEACTIVATE_USER', () =>
        compensation.deactivateUserByBusinessKey({
          businessKey,
          reason: `self-service user creation failed: ${failureCode(err)}`,
        }),
      ),
    );
    trail.finish('FAILED', failureCode(err));
    throw err;
  }

  try {
    const generated = input.sealedPassword === undefined;
    const sealedPassword =
      input.sealedPassword ??
      (
        await trail.step('SEAL_GENERATED_PASSWORD', () =>
          compute.sealGeneratedSelfServicePassword({ processId }),
        )
      ).sealed;
    await trail.step(
      'PROVISION_LOGIN',
      () =>
        core.provisionSelfServiceLogin({
          processId,
          userId: user.userId,
          sealedPassword,
          // A password that travelled by email or SMS is always changed at the first login.
          temporary: input.temporary || generated,
          issuance: `${businessKey}.password`,
          email: input.email,
          firstname: input.firstname,
          lastname: input.lastname,
          officeId: input.officeId,
          clients: input.clients,
          roles: input.roles,
        }),
      (r) => `${r.created ? 'login created' : 'login found'}${r.passwordSet ? ', password set' : ''}`,
    );
    const delivery = generated
      ? await trail.step(
          'SEND_PASSWORD',
          () =>
            messages.sendSelfServicePassword({
              processId,
              customerId: businessCustomerId,
              sealedPassword,
              delivery: input.delivery,
              email: input.email,
              messageId: `${processId}.${user.userId}.self-service-password.${input.delivery.toLowerCase()}`,
            }),
          (d) => `${d.channel.toLowerCase()} ${d.status} via ${d.provider}`,
        )
      : undefined;
    trail.finish('COMPLETED', `userId=${user.userId}`);
    return {
      processId,
      status: 'COMPLETED',
      userId: user.userId,
      username: user.username,
      businessCustomerId,
      clients: input.clients,
      roles: input.roles,
      officeId: input.officeId,
      isSelfServiceUser: true,
      resetPasswordAfterFirstLogin: input.temporary || generated,
      ...(delivery && {
        passwordDelivery: { channel: delivery.channel, to: delivery.to, status: delivery.status },
      }),
    };
  } catch (err) {
    const reason = failureCode(err);
    await CancellationScope.nonCancellable(async () => {
      await trail.step('COMPENSATE_DEACTIVATE_USER', () =>
        compensation.deactivateIbUser({
          userId: user.userId,
          reason: `self-service user creation failed: ${reason}`,
        }),
      );
      await trail.step('COMPENSATE_DISABLE_LOGIN', () =>
        compensation.disableSelfServiceLogin({ userId: user.userId }),
      );
    });
    trail.finish('FAILED', reason);
    throw businessFailure(
      'SELF_SERVICE_USER_FAILED',
      `Self-service user creation failed: ${reason}; the user was deactivated.`,
      { reason, userId: user.userId, compensated: true },
    );
  }
}

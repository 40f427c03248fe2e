import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { SelfServiceUserActivities } from '../../activities/self-service-users';
import type { SelfServiceUserState, UpdateSelfServiceUserInput } from '../../messages/self-service-users';
import { ProcessTrail } from '../process-trail';
import { coreBankingOptions } from '../activity-options';

const act = proxyActivities<SelfServiceUserActivities>(coreBankingOptions);

/**
 * PUT /v1/users/{userId}: a self-service user's clients (core banking's linked customers
 * and the login's `clients` claim) and realm roles, each replaced as a set, so a retry or
 * an ops reset repeats nothing. Core banking first: it is the record the login follows.
 */
export async function UpdateSelfServiceUser(
  input: UpdateSelfServiceUserInput,
): Promise<SelfServiceUserState> {
  const trail = new ProcessTrail('UPDATE_SELF_SERVICE_USER');
  const refuse = (type: string, message: string): never => {
    trail.finish('FAILED', type);
    throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [{}] });
  };
  const user = await trail.step('LOOK_UP', () => act.readSelfServiceUser({ userId: input.userId }));
  if (user.status === 'DEACTIVATED') refuse('INVALID_STATUS_TRANSITION', 'The user is closed.');
  const clients = input.clients ?? user.clients;
  const [business, ...linked] = clients;
  if (input.clients) {
    // A user stays with its business; the others must be its relations (unknown and unrelated alike).
    const { allowed } =
      business === user.businessCustomerId
        ? await trail.step('CHECK_CLIENTS', () =>
            act.checkSelfServiceClients({ businessCustomerId: user.businessCustomerId, linked }),
          )
        : { allowed: false };
    if (!allowed)
      refuse(
        'LINKED_CUSTOMER_NOT_RELATED',
        "A client is not one core banking relates to the user's business (clients[0]).",
      );
    await trail.step('SET_LINKED_CUSTOMERS', () =>
      act.setSelfServiceLinkedCustomers({ userId: input.userId, linkedCustomerIds: linked }),
    );
  }
  const roles = input.roles ?? user.roles;
  await trail.step('SET_LOGIN_ACCESS', () =>
    act.setSelfServiceAccess({ userId: input.userId, clients, roles }),
  );
  trail.finish('COMPLETED', `userId=${input.userId}`);
  return { ...user, clients, roles };
}

/** GET /v1/users/{userId}: the user as core banking and the login hold it, read by an activity. */
export async function ReadSelfServiceUser(input: { userId: string }): Promise<SelfServiceUserState> {
  return act.readSelfServiceUser(input);
}

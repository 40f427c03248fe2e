import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createCoreBankingUserActivities } from '../../activities/core-banking-users';
import { createCredentialActivities, type CredentialDeps } from '../../activities/credentials';
import type { CoreBankingUserDeps } from '../../activities/core-banking-users';

/** Onboarding's own activities: its core-banking user steps and its first-time password. */
type OnboardingDeps = CoreBankingUserDeps & CredentialDeps;
const createOnboardingActivities = (deps: OnboardingDeps) => ({
  ...createCoreBankingUserActivities(deps),
  ...createCredentialActivities(deps),
});
import type { IbUser } from '../../adapters/core-banking/types';
import { BusinessError } from '../../adapters/errors';

const env = new MockActivityEnvironment(
  { workflowExecution: { workflowId: 'onboard-100001', runId: 'run' }, attempt: 1 } as never,
  { logger: new DefaultLogger('ERROR') },
);
const run = <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => env.run(fn, input) as Promise<R>;

describe('onboarding activities', () => {
  it('gives up on usernames for good: USERNAME_UNAVAILABLE is not retried', async () => {
    const activities = createOnboardingActivities({
      coreBanking: {
        findIbUsers: async () => [],
        createIbUser: async () => {
          throw new BusinessError('USERNAME_TAKEN', 'taken');
        },
      },
    } as unknown as OnboardingDeps);
    await expect(
      run(activities.createIbUser, {
        businessKey: 'onboard-100001:run',
        customerId: '100001',
        channel: 'MOBILE' as const,
        acceptedDisclosures: [],
      }),
    ).rejects.toMatchObject({ type: 'USERNAME_UNAVAILABLE', nonRetryable: true });
  });

  it('deactivates the live user made under a business key, and only that one', async () => {
    const users = [
      { userId: 'IBU1', businessKey: 'bk-1', status: 'ACTIVE' },
      { userId: 'IBU2', businessKey: 'bk-2', status: 'ACTIVE' },
    ] as IbUser[];
    const deactivated: string[] = [];
    const activities = createOnboardingActivities({
      coreBanking: {
        findIbUsers: async (q: { businessKey?: string }) =>
          users.filter((u) => u.businessKey === q.businessKey),
        deactivateIbUser: async (userId: string) => {
          deactivated.push(userId);
          return users.find((u) => u.userId === userId);
        },
      },
    } as unknown as OnboardingDeps);
    expect(await run(activities.deactivateUserByBusinessKey, { businessKey: 'bk-1', reason: 'x' })).toEqual({
      userId: 'IBU1',
    });
    expect(await run(activities.deactivateUserByBusinessKey, { businessKey: 'bk-9', reason: 'x' })).toEqual({
      userId: null,
    });
    expect(deactivated).toEqual(['IBU1']);
  });

  it("disables the identity provider's login of a user it deactivates (IDENTITY_PROVIDER=keycloak)", async () => {
    const enabled: [string, boolean][] = [];
    const activities = createOnboardingActivities({
      coreBanking: {
        findIbUsers: async () => [{ userId: 'IBU1', businessKey: 'bk-1', status: 'ACTIVE' }],
        deactivateIbUser: async (userId: string) => ({ userId, status: 'DEACTIVATED' }),
      },
      identityProvider: {
        setEnabled: async (userId: string, on: boolean) => {
          enabled.push([userId, on]);
          return { found: true };
        },
      },
    } as unknown as OnboardingDeps);
    await run(activities.deactivateUserByBusinessKey, { businessKey: 'bk-1', reason: 'x' });
    await run(activities.deactivateIbUser, { userId: 'IBU7', reason: 'cancelled' });
    expect(enabled).toEqual([
      ['IBU1', false],
      ['IBU7', false],
    ]);
  });
});

import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCoreBankingUserActivities } from '../../activities/core-banking-users';
import { createCredentialActivities, type CredentialDeps } from '../../activities/credentials';
import type { CoreBankingUserDeps } from '../../activities/core-banking-users';

/** Onboarding's own activities: its core-banking user steps and its first-time password. */
type OnboardingDeps = CoreBankingUserDeps & CredentialDeps;
const createOnboardingActivities = (deps: OnboardingDeps) => ({
  ...createCoreBankingUserActivities(deps),
  ...createCredentialActivities(deps),
});
import type { Customer, IbUser, PasswordCondition } from '../../adapters/core-banking/types';
import { TransientError } from '../../adapters/errors';
import type { SmsMessage } from '../../adapters/sms/types';
import type { OnboardIbUserInput } from '../../messages/onboarding';
import { payloadsIn } from '../helpers/history';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';

const input: OnboardIbUserInput = {
  requestId: 'req-ftp-0001',
  customerId: '100001',
  channel: 'MOBILE',
  acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
  authorisationTimeoutHours: 24,
};

const passwordIn = (m: SmsMessage) => /first-time password is (\S+)\./.exec(m.body)?.[1];

describe('first-time password retried after the SMS went out (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('sets the password once, conditionally, and sends it on every attempt under one message id', async () => {
    const passwordsSet: string[] = [];
    const sms: SmsMessage[] = [];
    // Core banking's user: which password is in force, and who issued it.
    const user: Pick<IbUser, 'passwordSetAt' | 'passwordIssuedBy'> = {
      passwordSetAt: null,
      passwordIssuedBy: null,
    };
    const real = createOnboardingActivities({
      serverKey: randomBytes(32),
      bankName: 'Demo Bank',
      coreBanking: {
        getCustomer: async () => ({ customerId: '100001', mobilePhone: '+254700100001' }) as Customer,
        getIbUser: async () => ({ ...user }),
        setPassword: async (
          _u: string,
          password: string,
          _m: boolean,
          _c: unknown,
          when?: PasswordCondition,
        ) => {
          if (when?.ifPasswordSetAt !== undefined && when.ifPasswordSetAt !== user.passwordSetAt)
            throw new Error('PASSWORD_CHANGED');
          passwordsSet.push(password);
          Object.assign(user, {
            passwordSetAt: `t${passwordsSet.length}`,
            passwordIssuedBy: when?.issuedBy ?? null,
          });
        },
      },
      sms: {
        provider: 'recorder',
        // The provider takes the first two messages but the answers are lost (timeouts).
        send: async (m: SmsMessage) => {
          sms.push(m);
          if (sms.length <= 2) throw new TransientError('provider timed out');
          return { provider: 'recorder', providerMessageId: `sms-${sms.length}` };
        },
      },
    } as unknown as OnboardingDeps);
    const activities = {
      ...real,
      checkEligibility: async () => ({
        found: true,
        customerStatus: 'ACTIVE' as const,
        activeProducts: 1,
        hasRegisteredMobile: true,
        phoneMatchesRegistered: null,
        liveIbUserId: null,
        registeredMobileMasked: '+254••••••001',
      }),
      createIbUser: async () => ({
        userId: 'IBU00000001',
        username: 'ibabcdefgh',
        status: 'ACTIVE' as const,
        existed: false,
      }),
      syncUsernameToChannel: async () => ({ delivered: 'outbox' as const }),
    };
    const result = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow.execute('OnboardIbUser', {
        taskQueue,
        workflowId: 'onboard-100001-ftp',
        args: [input],
      }),
    );
    expect(result).toMatchObject({ status: 'COMPLETED', userId: 'IBU00000001' });
    expect(sms).toHaveLength(3);
    const [password] = passwordsSet;
    expect(password).toMatch(/^[A-Za-z0-9]{14}$/);
    // Set once (by a write conditional on no password yet); the retries find it in force,
    // issued by this onboarding, and only send it again.
    expect(passwordsSet).toEqual([password]);
    expect(user.passwordIssuedBy).toMatch(/^first-time-password:onboard-100001-ftp:IBU00000001$/);
    expect(sms.map(passwordIn)).toEqual([password, password, password]);
    expect(new Set(sms.map((m) => m.id)).size).toBe(1);
    // The history holds the password sealed only (payloads here are plain JSON: no codec).
    const history = await env.client.workflow.getHandle('onboard-100001-ftp').fetchHistory();
    const payloadText = payloadsIn(history)
      .map((p) => new TextDecoder().decode(p.data ?? new Uint8Array()))
      .join('\n');
    expect(payloadText).toContain('ibabcdefgh');
    expect(payloadText).not.toContain(password as string);
  });
});

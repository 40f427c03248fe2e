import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CoreBankingClient, IdentityMatchRequest } from '../../adapters/core-banking/types';
import { createMfaProofActivities, type MfaDeps } from '../../activities/mfa-proofs';
import { createQuotaActivities } from '../../activities/quotas';
import { createCoreBankingUserActivities } from '../../activities/core-banking-users';
import { createCredentialActivities, type CredentialDeps } from '../../activities/credentials';
import type { EligibilityFacts } from '../../activities/types';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import { quotaWorkflowId } from '../../messages/mfa-quota';
import { identityContext, identityDigest, passwordContext, sealSecret } from '../../lib/registration-crypto';
import { mfaProcessId, mfaStateQuery, verifyUpdate } from '../../messages/mfa';
import {
  awaitCodeSentUpdate,
  completeRegistrationUpdate,
  identityAttemptsWorkflowId,
  registrationProcessId,
  type SelfRegistrationInput,
} from '../../messages/registration';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../setup/tools';

const SERVER_KEY = randomBytes(32);
const MINUTE = 60_000;
const PASSWORD = 'violet-harbour-lantern-42';
const RIGHT = { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-09', nationalIdLast4: '0005' };
const DISCLOSURES = [{ id: 'IB_TERMS', version: 1, title: 'Terms', text: 'terms', sha256: 'a'.repeat(64) }];

/**
 * Core banking as an in-memory double (the e2e suite runs the simulator): one customer
 * whose identity is RIGHT, with a mobile on file. Records what the workflow asked of it.
 */
function coreBanking() {
  const calls: string[] = [];
  const passwords: { userId: string; password: string; mustChange: boolean }[] = [];
  const client = {
    matchCustomerIdentity: async (typed: IdentityMatchRequest) => {
      calls.push('match');
      const same = JSON.stringify(typed) === JSON.stringify(RIGHT);
      return { matched: same, customerId: same ? '100005' : null };
    },
    getCustomer: async (customerId: string) => ({
      customerId,
      firstName: 'Grace',
      lastName: 'Njeri',
      mobilePhone: '+254700100005',
      email: null,
      products: [],
      status: 'ACTIVE' as const,
    }),
    findIbUsers: async () => [],
    createIbUser: async (req: { username: string; customerId: string; businessKey: string }) => {
      calls.push('create');
      return {
        userId: 'IBU00000005',
        customerId: req.customerId,
        username: req.username,
        channel: 'MOBILE',
        status: 'ACTIVE' as const,
        businessKey: req.businessKey,
        mustChangePassword: true,
        passwordSetAt: null,
        createdAt: '',
        updatedAt: '',
      };
    },
    setPassword: async (userId: string, password: string, mustChange: boolean) => {
      calls.push('setPassword');
      passwords.push({ userId, password, mustChange });
    },
    recordDisclosureAcceptance: async (customerId: string, req: { businessKey: string }) => {
      calls.push('disclosures');
      return { ...req, acceptanceId: 'DSA1', customerId, recordedAt: '' };
    },
  } as unknown as CoreBankingClient;
  return { client, calls, passwords };
}

describe('SelfRegistration workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // A run left open on a queue whose worker is gone would hold the test server's clock
  // (its timers' tasks are never done): end the registrations, their challenges and the
  // identity's attempt entity and the phone's quota after each test.
  const openIds: string[] = [];
  afterEach(async () => {
    openIds.push(
      identityAttemptsWorkflowId(identityDigest(SERVER_KEY, RIGHT)),
      quotaWorkflowId(destinationDigest(SERVER_KEY, '+254700100005'), 'PRELOGIN'),
    );
    await Promise.all(
      openIds.splice(0).map((id) =>
        env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  });

  function activities(taskQueue: string, core: CoreBankingClient, sms: { to: string; body: string }[]) {
    const temporal = { client: env.client, taskQueue };
    const eligible: EligibilityFacts = {
      found: true,
      customerStatus: 'ACTIVE',
      activeProducts: 1,
      hasRegisteredMobile: true,
      phoneMatchesRegistered: null,
      liveIbUserId: null,
      registeredMobileMasked: '+254••••••005',
    };
    return {
      ...createCoreBankingUserActivities({ coreBanking: core, serverKey: SERVER_KEY }),
      ...createCredentialActivities({ coreBanking: core, serverKey: SERVER_KEY } as CredentialDeps),
      ...createQuotaActivities({
        temporal,
        destinationQuota: { maxPerWindow: 50, windowMinutes: 10, maxPerDay: 500 },
      }),
      ...createMfaProofActivities({
        coreBanking: core,
        serverKey: SERVER_KEY,
        temporal,
        bankName: 'Demo Bank',
        sms: {
          send: async (m: { to: string; body: string }) => {
            sms.push(m);
            return { provider: 'test' };
          },
        },
        email: { send: async () => ({ provider: 'test' }) },
        destinationQuota: { maxPerWindow: 50, windowMinutes: 10, maxPerDay: 500 },
      } as unknown as MfaDeps),
      checkEligibility: async () => eligible,
    };
  }

  /** A registration's input as the API makes it (lib/registration-crypto.ts). */
  function registration(identity: typeof RIGHT, maxPerWindow = 5) {
    const registrationId = randomUUID();
    const securityKey = `sk-${registrationId}`;
    const input: SelfRegistrationInput = {
      registrationId,
      requestId: `req-${registrationId}`,
      serviceKey: randomUUID(),
      securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
      username: 'grace.njeri',
      sealedIdentity: sealSecret(SERVER_KEY, identityContext(registrationId), JSON.stringify(identity)),
      identityDigest: identityDigest(SERVER_KEY, identity),
      sealedPassword: sealSecret(SERVER_KEY, passwordContext(registrationId), PASSWORD),
      acceptedDisclosures: ['IB_TERMS'],
      disclosures: DISCLOSURES,
      channel: 'MOBILE',
      mfaPolicy: {
        codeLength: 6,
        ttlSeconds: 300,
        maxVerifyAttempts: 5,
        maxResends: 3,
        resendCooldownSeconds: 30,
        consumeWindowSeconds: 900,
      },
      identityAttempts: { maxPerWindow, windowMinutes: 60, maxPerDay: 50 },
    };
    return { input, securityKey };
  }

  async function start(taskQueue: string, input: SelfRegistrationInput) {
    openIds.push(registrationProcessId(input.registrationId), mfaProcessId(input.serviceKey));
    const handle = await env.client.workflow.start('SelfRegistration', {
      taskQueue,
      workflowId: registrationProcessId(input.registrationId),
      args: [input],
    });
    const sent = await handle.executeUpdate(awaitCodeSentUpdate).then(
      (s) => ({ sent: s, refused: null, details: undefined }),
      (e: unknown) => {
        if (!(e instanceof WorkflowUpdateFailedError)) throw e;
        const cause = e.cause as ApplicationFailure;
        return { sent: null, refused: cause.type, details: cause.details?.[0] as Record<string, unknown> };
      },
    );
    return { handle, ...sent };
  }

  async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await p.then(
      () => {
        throw new Error('expected the run to fail');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as ApplicationFailure;
  }

  it('limits identity checks per identity, durably, and allows them again once the window has passed', async () => {
    const core = coreBanking();
    const sms: { to: string; body: string }[] = [];
    const wrong = { ...RIGHT, nationalIdLast4: '1234' };
    const queue = `reg-limit-${randomUUID()}`;
    await withWorkerOn(queue, activities(queue, core.client, sms), async () => {
      // (No result() here: waiting on one lets the test server skip time, past the window.)
      for (let i = 0; i < 2; i++) {
        const { handle, refused } = await start(queue, registration(wrong, 2).input);
        expect(refused).toBe('IDENTITY_NOT_VERIFIED');
        expect((await handle.describe()).status.name).toBe('FAILED');
      }
      expect(core.calls.filter((c) => c === 'match')).toHaveLength(2);
      // The third check of this identity, even the right one, is refused before any match.
      const third = await start(queue, registration(RIGHT, 2).input);
      expect(third.refused).toBe('IDENTITY_ATTEMPTS_EXCEEDED');
      expect(third.details?.retryAfterSeconds).toBeGreaterThan(55 * 60);
      expect(core.calls.filter((c) => c === 'match')).toHaveLength(2);
      expect(sms).toHaveLength(0);

      await env.sleep(61 * MINUTE);
      const later = await start(queue, registration(RIGHT, 2).input);
      expect(later.refused).toBeNull();
      expect(later.sent?.maskedDestination).toBe('+254••••••005');
      expect(sms.map((m) => m.to)).toEqual(['+254700100005']);
    });
  });

  it('ends REGISTRATION_EXPIRED when the code is not verified in time, creating nothing', async () => {
    const core = coreBanking();
    const sms: { to: string; body: string }[] = [];
    const queue = `reg-expiry-${randomUUID()}`;
    await withWorkerOn(queue, activities(queue, core.client, sms), async () => {
      const { input, securityKey } = registration(RIGHT);
      const { handle, sent } = await start(queue, input);
      expect(sent?.status).toBe('CODE_SENT');
      const code = /(\d{6}) is your verification code/.exec(sms[0]?.body ?? '')?.[1] as string;
      expect(code).toMatch(/^\d{6}$/);
      // Time passes on the server's clock while nobody verifies.
      expect((await failureOf(handle.result())).type).toBe('REGISTRATION_EXPIRED');
      const challenge = env.client.workflow.getHandle(mfaProcessId(input.serviceKey));
      expect((await challenge.query(mfaStateQuery)).status).toBe('EXPIRED');
      // The right code after the expiry is refused by the challenge; nothing was created.
      await expect(
        challenge.executeUpdate(verifyUpdate, {
          args: [
            {
              securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
              otpDigest: otpDigest(SERVER_KEY, input.serviceKey, code),
            },
          ],
        }),
      ).rejects.toThrow();
      expect(core.calls).not.toContain('create');
      expect(core.calls).not.toContain('setPassword');
    });
  });

  it('completes once the code is verified: the chosen password is set, no change at first login', async () => {
    const core = coreBanking();
    const sms: { to: string; body: string }[] = [];
    const queue = `reg-done-${randomUUID()}`;
    await withWorkerOn(queue, activities(queue, core.client, sms), async () => {
      const { input, securityKey } = registration(RIGHT);
      const { handle } = await start(queue, input);
      // Without a verified code the completion is refused and nothing is created.
      await expect(handle.executeUpdate(completeRegistrationUpdate)).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      expect(core.calls).not.toContain('create');
      const code = /(\d{6}) is your verification code/.exec(sms[0]?.body ?? '')?.[1] as string;
      await env.client.workflow.getHandle(mfaProcessId(input.serviceKey)).executeUpdate(verifyUpdate, {
        args: [
          {
            securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
            otpDigest: otpDigest(SERVER_KEY, input.serviceKey, code),
          },
        ],
      });
      const result = await handle.executeUpdate(completeRegistrationUpdate);
      expect(result).toMatchObject({ userId: 'IBU00000005', username: 'grace.njeri', status: 'COMPLETED' });
      expect(core.passwords).toEqual([{ userId: 'IBU00000005', password: PASSWORD, mustChange: false }]);
      expect(core.calls).toEqual(['match', 'create', 'setPassword', 'disclosures']);
      await expect(handle.result()).resolves.toMatchObject({ userId: 'IBU00000005' });
    });
  });

  async function withWorkerOn(taskQueue: string, acts: object, fn: () => Promise<void>) {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: acts,
      workflowBundle: { codePath: workflowBundlePath },
    });
    await worker.runUntil(fn());
  }
});

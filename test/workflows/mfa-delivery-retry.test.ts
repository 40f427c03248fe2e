import { randomBytes, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createMfaProofActivities, type MfaDeps } from '../../activities/mfa-proofs';
import type { QuotaActivities } from '../../activities/quota-types';
import type { Customer, IbUser } from '../../adapters/core-banking/types';
import type { EmailMessage } from '../../adapters/email/types';
import { TransientError } from '../../adapters/errors';
import type { SmsMessage } from '../../adapters/sms/types';
import { otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import {
  awaitInitialDeliveryUpdate,
  mfaStateQuery,
  verifyUpdate,
  type MfaChallengeInput,
  type MfaState,
} from '../../messages/mfa';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';
import { neverLockedUser } from '../helpers/mfa-doubles';

const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';
const EMAIL = 'amina.wanjiru@example.com';

/** The real MFA activities over recording providers; email fails transiently `emailFailures` times. */
function activities(emailFailures: number) {
  const sms: SmsMessage[] = [];
  const email: EmailMessage[] = [];
  let emailCalls = 0;
  const deps = {
    serverKey: SERVER_KEY,
    bankName: 'Demo Bank',
    coreBanking: {
      getIbUser: async () => ({ userId: 'IBU1', customerId: 'C1', status: 'ACTIVE' }) as IbUser,
      getCustomer: async () => ({ customerId: 'C1', mobilePhone: PHONE, email: EMAIL }) as Customer,
    },
    sms: {
      provider: 'recorder',
      send: async (m: SmsMessage) => {
        sms.push(m);
        return { provider: 'recorder', providerMessageId: `sms-${sms.length}` };
      },
    },
    email: {
      provider: 'recorder',
      send: async (m: EmailMessage) => {
        if (++emailCalls <= emailFailures) throw new TransientError('smtp down');
        email.push(m);
        return { provider: 'recorder', providerMessageId: `email-${email.length}` };
      },
    },
  } as unknown as MfaDeps;
  const real = createMfaProofActivities(deps);
  // The quota entity is not under test here.
  const reserveDestinationSend: QuotaActivities['reserveDestinationSend'] = async ({
    destinationDigests,
  }) => ({
    reserved: destinationDigests.length,
  });
  return {
    activities: { ...real, ...neverLockedUser, reserveDestinationSend },
    sms,
    email,
    emailCalls: () => emailCalls,
  };
}

const codeIn = (text: string | undefined) => /(\d{6}) is your verification code/.exec(text ?? '')?.[1];

describe('MFA delivery with one leg down (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  const started: WorkflowHandle[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });

  it('is verifiable once the SMS is out; the email leg retries and, when it recovers, sends that same code once', async () => {
    const fake = activities(3);
    await withWorker(env, fake.activities, async (taskQueue) => {
      const serviceKey = randomUUID();
      const securityKey = randomBytes(32).toString('base64url');
      const input: MfaChallengeInput = {
        serviceKey,
        purpose: 'LOGIN',
        userId: 'IBU1',
        securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
        policy: {
          codeLength: 6,
          ttlSeconds: 300,
          maxVerifyAttempts: 5,
          maxResends: 3,
          resendCooldownSeconds: 30,
          consumeWindowSeconds: 900,
        },
      };
      const startWorkflowOperation = new WithStartWorkflowOperation('MfaChallenge', {
        taskQueue,
        workflowId: `mfa-${serviceKey}`,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
      });
      const created: MfaState = await env.client.workflow.executeUpdateWithStart(awaitInitialDeliveryUpdate, {
        startWorkflowOperation,
      });
      const handle = await startWorkflowOperation.workflowHandle();
      started.push(handle);
      // Verifiable as soon as the SMS is out, while the email leg is still retrying.
      expect(created.status).toBe('PENDING');
      expect(created.deliveries).toEqual([
        { channel: 'SMS', status: 'SENT' },
        { channel: 'EMAIL', status: 'SENDING' },
      ]);
      for (let i = 0; i < 20 && fake.email.length === 0; i++) await env.sleep('5 seconds');
      expect((await handle.query(mfaStateQuery)).deliveries).toEqual([
        { channel: 'SMS', status: 'SENT' },
        { channel: 'EMAIL', status: 'SENT' },
      ]);

      // Four attempts (three with email down): one SMS, one email, one code.
      expect(fake.emailCalls()).toBe(4);
      expect(fake.sms).toHaveLength(1);
      expect(fake.email).toHaveLength(1);
      const code = codeIn(fake.sms[0]?.body);
      expect(code).toBeDefined();
      expect(codeIn(fake.email[0]?.text)).toBe(code);
      // The retried leg keeps the send's message id (the provider's de-duplication key).
      expect(fake.email[0]?.id.replace(/\.email$/, '')).toBe(fake.sms[0]?.id.replace(/\.sms$/, ''));

      const verified = await handle.executeUpdate(verifyUpdate, {
        args: [
          {
            securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
            otpDigest: otpDigest(SERVER_KEY, serviceKey, code as string),
          },
        ],
      });
      expect(verified.status).toBe('VERIFIED');
    });
  });
});

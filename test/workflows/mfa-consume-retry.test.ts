import { randomBytes, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createMfaProofActivities, type MfaDeps } from '../../activities/mfa-proofs';
import type { MfaChallengeActivities } from '../../activities/mfa-proof-types';
import { destinationDigest, otpDigest, securityKeyDigest } from '../../lib/mfa-crypto';
import {
  awaitInitialDeliveryUpdate,
  mfaProcessId,
  verifyUpdate,
  type MfaChallengeInput,
} from '../../messages/mfa';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { withWorker } from '../helpers/workflow-worker';
import { neverLockedUser } from '../helpers/mfa-doubles';
import type { MfaUserLockActivities } from '../../activities/mfa-user-lock';

const SERVER_KEY = randomBytes(32);
const PHONE = '+254700100001';
const CODE = '042917';
const USER = 'IBU00000001';

/** MFA activity doubles: the code is CODE, sent to PHONE. */
const mfaActivities: MfaChallengeActivities & MfaUserLockActivities = {
  ...neverLockedUser,
  resolveChallengeDestinations: async () => ({
    phone: [{ masked: '+254••••••001', referenceId: 'ref-1', digest: destinationDigest(SERVER_KEY, PHONE) }],
    email: [],
    sealed: 'sealed-destinations',
  }),
  reserveDestinationSend: async ({ destinationDigests }) => ({ reserved: destinationDigests.length }),
  sendChallengeCode: async ({ serviceKey }) => ({
    codeDigest: otpDigest(SERVER_KEY, serviceKey, CODE),
    sealedCode: 'sealed-code',
    deliveries: [{ channel: 'SMS', referenceId: 'ref-1', provider: 'outbox' }],
  }),
  resendChallengeCode: async () => ({ deliveries: [] }),
  sendChallengeLeg: (input) => mfaActivities.sendChallengeCode(input),
};

describe('consumeMfaChallenge retried after it succeeded (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A VERIFIED UPDATE_PHONE challenge for USER and PHONE. */
  async function verifiedChallenge(
    taskQueue: string,
  ): Promise<{ serviceKey: string; handle: WorkflowHandle }> {
    const serviceKey = randomUUID();
    const securityKey = randomBytes(32).toString('base64url');
    const input: MfaChallengeInput = {
      serviceKey,
      purpose: 'UPDATE_PHONE',
      userId: USER,
      phone: PHONE,
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
      workflowId: mfaProcessId(serviceKey),
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    await env.client.workflow.executeUpdateWithStart(awaitInitialDeliveryUpdate, { startWorkflowOperation });
    const handle = await startWorkflowOperation.workflowHandle();
    await handle.executeUpdate(verifyUpdate, {
      args: [
        {
          securityKeyDigest: securityKeyDigest(SERVER_KEY, securityKey),
          otpDigest: otpDigest(SERVER_KEY, serviceKey, CODE),
        },
      ],
    });
    return { serviceKey, handle };
  }

  const consume = () =>
    createMfaProofActivities({
      serverKey: SERVER_KEY,
      temporal: { client: env.client },
    } as unknown as MfaDeps).consumeMfaChallenge;

  it('succeeds again for the consumer that consumed it, after the challenge run ended', async () => {
    await withWorker(env, mfaActivities, async (taskQueue) => {
      const { serviceKey, handle } = await verifiedChallenge(taskQueue);
      const args = { serviceKey, userId: USER, phone: PHONE, consumerProcessId: `phone-${USER}` };
      await consume()(args);
      // The consumed run ends at once: the retry (its worker died after the Update) meets a closed run.
      expect(await handle.result()).toMatchObject({ status: 'CONSUMED', consumedBy: `phone-${USER}` });
      await expect(consume()(args)).resolves.toBeUndefined();
      // Anyone else still finds the proof used.
      await expect(consume()({ ...args, consumerProcessId: 'phone-someone-else' })).rejects.toMatchObject({
        type: 'MFA_NOT_VERIFIED',
        nonRetryable: true,
      });
    });
  });
});

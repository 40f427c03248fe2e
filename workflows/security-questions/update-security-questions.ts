import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import type { MfaProofActivities } from '../../activities/types';
import type {
  UpdateSecurityQuestionsInput,
  UpdateSecurityQuestionsResult,
} from '../../messages/security-questions';
import { coreBankingOptions, entityUpdateOptions } from '../activity-options';
import { notifyContacts } from '../credential-notices';
import { failureCode, ProcessTrail } from '../process-trail';
import { consumerRef } from '../consumer-ref';

const core = proxyActivities<CoreBankingUserActivities>(coreBankingOptions);
const answers = proxyActivities<CredentialActivities>(coreBankingOptions);
const mfa = proxyActivities<MfaProofActivities>(entityUpdateOptions);

/**
 * Replaces a user's security questions: look up (ACTIVE only) → consume the VERIFIED
 * UPDATE_SECURITY_QUESTIONS challenge → store salted hashes in core banking (the answers
 * stay sealed until the activity hashes them) → notify the contacts on file.
 */
export async function UpdateSecurityQuestions(
  input: UpdateSecurityQuestionsInput,
): Promise<UpdateSecurityQuestionsResult> {
  const trail = new ProcessTrail('UPDATE_SECURITY_QUESTIONS');
  const processId = workflowInfo().workflowId;
  const businessKey = `${processId}:${workflowInfo().firstExecutionRunId}`;
  const sideEffectRef = `${processId}.${workflowInfo().firstExecutionRunId}`;
  try {
    const owner = await trail.step(
      'LOOKUP',
      () => core.lookupCredentialOwner({ userId: input.userId }),
      (o) => (o.found ? `customer ${o.customerId}; status ${o.status}` : 'not found'),
    );
    if (!owner.found) {
      throw ApplicationFailure.create({
        type: 'USER_NOT_FOUND',
        message: 'No IB/MB user with that id.',
        nonRetryable: true,
      });
    }
    if (owner.status !== 'ACTIVE') {
      throw ApplicationFailure.create({
        type: 'USER_NOT_ACTIVE',
        message: 'The IB/MB user is not active.',
        nonRetryable: true,
        details: [{ userStatus: owner.status }],
      });
    }
    await trail.step('CONSUME_MFA', () =>
      mfa.consumeMfaChallenge({
        serviceKey: input.mfaServiceKey,
        purpose: 'UPDATE_SECURITY_QUESTIONS',
        userId: input.userId,
        phone: owner.contacts.phone,
        consumerProcessId: consumerRef(),
      }),
    );
    await trail.step(
      'STORE_ANSWERS',
      () =>
        answers.storeSecurityAnswers({
          userId: input.userId,
          requestId: input.requestId,
          businessKey,
          sealedAnswers: input.sealedAnswers,
        }),
      (r) => `${r.stored} salted hashes stored (${input.questionIds.join(', ')})`,
    );
    const notifications = await notifyContacts(trail, owner, sideEffectRef, 'SECURITY_QUESTIONS_CHANGED');
    trail.finish('COMPLETED', `userId=${input.userId}`);
    return {
      processId,
      status: 'COMPLETED',
      userId: input.userId,
      questionIds: input.questionIds,
      notifications,
    };
  } catch (err) {
    trail.finish('FAILED', failureCode(err));
    throw err;
  }
}

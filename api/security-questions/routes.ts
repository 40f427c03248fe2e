import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../config';
import { seal } from '../../lib/mfa-crypto';
import { ProcessType } from '../../messages/search-attributes';
import {
  SECURITY_QUESTIONS_WORKFLOW,
  securityAnswersContext,
  securityQuestionsProcessId,
  type UpdateSecurityQuestionsInput,
} from '../../messages/security-questions';
import type { TokenVerifier } from '../http/auth';
import { assertProofFor, mfaRequired, provenChallenge } from '../mfa/proofs';
import { requestDigest, requestKey } from '../http/idempotency';
import { requireScopes } from '../http/scopes';
import { validateBody, validated } from '../http/validate';
import { startIdempotent, withStartBudget } from '../processes/idempotent-start';
import { starterMemo } from '../processes/readers';
import { respondWithOutcome } from '../processes/respond';
import { ProblemError, problems } from '../http/problem';
import { userId as userIdSchema } from '../contact-change/schema';
import { securityQuestionsRequest, type SecurityQuestionsRequest } from './schema';

export interface SecurityQuestionsDeps {
  client: Client;
  verifier: TokenVerifier;
  config: Config;
  serverKey: Buffer;
}

/**
 * PUT /users/{userId}/security-questions: consumes a VERIFIED UPDATE_SECURITY_QUESTIONS
 * challenge (the one the Infinity `…UpdateSecurityQuestionsOTP` pair verifies). The answers
 * are sealed here, before anything is started: no Temporal payload holds one in clear.
 */
export function securityQuestionsRouter(deps: SecurityQuestionsDeps): Router {
  const { client, config, serverKey } = deps;
  const router = Router();
  router.put(
    '/users/:userId/security-questions',
    requireScopes(deps.verifier, 'ib-users:write'),
    validateBody(securityQuestionsRequest),
    async (req, res) => {
      const parsed = userIdSchema.safeParse(req.params.userId);
      if (!parsed.success) throw problems.validation([{ path: 'userId', message: 'an IB/MB user id' }]);
      const userId = parsed.data;
      const body = validated<SecurityQuestionsRequest>(req);
      const requestId = requestKey(req, body.requestId);
      const { mfa } = body;
      if (!mfa) throw mfaRequired('UPDATE_SECURITY_QUESTIONS');
      const processId = securityQuestionsProcessId(userId);
      const questions = body.questions.map((q) => ({ questionId: q.questionId, answer: q.answer }));
      const input: UpdateSecurityQuestionsInput = {
        requestId,
        userId,
        mfaServiceKey: mfa.serviceKey,
        questionIds: questions.map((q) => q.questionId),
        sealedAnswers: seal(serverKey, securityAnswersContext(userId, requestId), JSON.stringify(questions)),
      };
      const started = await withStartBudget(client, async () => {
        const challenge = await provenChallenge(client, serverKey, mfa);
        return startIdempotent(client, {
          workflowType: SECURITY_QUESTIONS_WORKFLOW,
          workflowId: processId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          requestId,
          // A keyed digest (HMAC under the server key): equal bodies match, no answer is recoverable.
          digest: requestDigest(serverKey, { ...body, requestId: undefined, userId }),
          starter: starterMemo(req.principal),
          reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          searchAttributes: [{ key: ProcessType, value: 'UPDATE_SECURITY_QUESTIONS' }],
          staticSummary: `Security questions · user ${userId}`,
          staticDetails: `Request ${requestId}. Steps: look up → consume the UPDATE_SECURITY_QUESTIONS proof → salted hashes to core banking → notices.`,
          inFlight: () =>
            new ProblemError(
              409,
              'CREDENTIALS_CHANGE_IN_PROGRESS',
              'Change in progress',
              'A security-questions change for this user is in flight.',
              { processId },
            ),
          beforeStart: async () => assertProofFor(challenge, 'UPDATE_SECURITY_QUESTIONS', userId),
        });
      });
      await respondWithOutcome(req, res, deps, started, 200);
    },
  );
  return router;
}

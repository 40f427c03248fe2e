import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { seal } from '../../lib/mfa-crypto';
import {
  SECURITY_QUESTIONS_WORKFLOW,
  securityAnswersContext,
  securityQuestionsProcessId,
  type UpdateSecurityQuestionsInput,
} from '../../messages/security-questions';
import type { TokenVerifier } from '../http/auth';
import { assertProofFor, mfaRequired, provenChallenge } from '../mfa/proofs';
import { requestDigest, requestKey } from '../http/idempotency';
import { startRoute } from '../processes/start-route';
import { mount } from '../http/route';
import { routes } from '../routes';
import { startUserProcess, userIdParam } from '../processes/user-process';
import { starterMemo } from '../processes/readers';
import type { SecurityQuestionsRequest } from './schema';

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
  mount(
    router,
    routes.securityQuestions,
    deps,
    startRoute(deps, {
      doneStatus: 200,
      start: async (req, body: SecurityQuestionsRequest) => {
        const userId = userIdParam(req);
        const requestId = requestKey(req, body.requestId);
        const { mfa } = body;
        if (!mfa) throw mfaRequired('UPDATE_SECURITY_QUESTIONS');
        const questions = body.questions.map((q) => ({ questionId: q.questionId, answer: q.answer }));
        const input: UpdateSecurityQuestionsInput = {
          requestId,
          userId,
          mfaServiceKey: mfa.serviceKey,
          questionIds: questions.map((q) => q.questionId),
          sealedAnswers: seal(
            serverKey,
            securityAnswersContext(userId, requestId),
            JSON.stringify(questions),
          ),
        };
        const challenge = await provenChallenge(client, serverKey, mfa);
        return startUserProcess(client, {
          workflowType: SECURITY_QUESTIONS_WORKFLOW,
          processId: securityQuestionsProcessId(userId),
          processType: 'UPDATE_SECURITY_QUESTIONS',
          input,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          // A keyed digest (HMAC under the server key): equal bodies match, no answer is recoverable.
          digest: requestDigest(serverKey, { ...body, requestId: undefined, userId }),
          starter: starterMemo(req.principal),
          summary: `Security questions · user ${userId}`,
          details: `Request ${requestId}. Steps: look up → consume the UPDATE_SECURITY_QUESTIONS proof → salted hashes to core banking → notices.`,
          inFlight: 'A security-questions change',
          beforeStart: async () => assertProofFor(challenge, 'UPDATE_SECURITY_QUESTIONS', userId),
        });
      },
    }),
  );
  return router;
}

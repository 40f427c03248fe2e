import type { CredentialNotification } from './password-reset';

/**
 * The contract of UpdateSecurityQuestions (PUT /users/{userId}/security-questions): a
 * VERIFIED UPDATE_SECURITY_QUESTIONS challenge is consumed once and the answers are stored
 * in core banking as salted hashes only. The answers reach the workflow sealed (AES-256-GCM
 * under the server key): history holds no answer, not even a hash of one.
 */
export const SECURITY_QUESTIONS_WORKFLOW = 'UpdateSecurityQuestions';

export const securityQuestionsProcessId = (userId: string): string => `secq-${userId}`;

/** The seal's context: a sealed blob opens only for the user and request it was made for. */
export const securityAnswersContext = (userId: string, requestId: string): string =>
  `security-answers:${userId}:${requestId}`;

export interface UpdateSecurityQuestionsInput {
  requestId: string;
  userId: string;
  mfaServiceKey: string;
  questionIds: string[];
  /** seal(serverKey, securityAnswersContext(userId, requestId), JSON [{questionId, answer}]). */
  sealedAnswers: string;
}

export interface UpdateSecurityQuestionsResult {
  processId: string;
  status: 'COMPLETED';
  userId: string;
  questionIds: string[];
  notifications: CredentialNotification[];
}

import { z } from 'zod';
import type { UpdateSecurityQuestionsResult } from '../../messages/security-questions';
import { normaliseAnswer } from '../../lib/security-answers';
import { idempotencyKey } from '../http/fields';
import { challengeProof } from '../http/fields';
import { named, type Holds, type SameShape } from '../openapi/registry';
import { credentialNotification } from '../openapi/responses';

export const MIN_QUESTIONS = 2;
export const MAX_QUESTIONS = 5;

/** PUT /users/{userId}/security-questions. `mfa` is checked by the route (403 MFA_REQUIRED). */
export const securityQuestionsRequest = named(
  'SecurityQuestionsRequest',
  z.strictObject({
    requestId: idempotencyKey.optional(),
    questions: z
      .array(
        z.strictObject({
          questionId: z.string().regex(/^[A-Z0-9_]{1,40}$/, 'a question code such as FIRST_SCHOOL'),
          // Checked on the normalised form: "  A " is one character, too short to protect anything.
          answer: z
            .string()
            .max(100)
            .refine((a) => normaliseAnswer(a).length >= 3, 'at least 3 characters'),
        }),
      )
      .min(MIN_QUESTIONS)
      .max(MAX_QUESTIONS)
      .refine((qs) => new Set(qs.map((q) => q.questionId)).size === qs.length, 'each question once'),
    mfa: named(
      'SecurityQuestionsMfaProof',
      challengeProof,
      'The verified UPDATE_SECURITY_QUESTIONS challenge: its serviceKey and securityKey',
    ).optional(),
  }),
);
export type SecurityQuestionsRequest = z.infer<typeof securityQuestionsRequest>;

export const securityQuestionsResult = named(
  'SecurityQuestionsResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    userId: z.string(),
    questionIds: z.array(z.string()),
    notifications: z.array(credentialNotification),
  }),
);

export type _Checks = [Holds<SameShape<typeof securityQuestionsResult, UpdateSecurityQuestionsResult>>];

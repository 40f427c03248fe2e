import { passwordProblems, PASSWORD_PROBLEM_TEXT } from '../../rules/password';
import { ProblemError } from './problem';

/** The password rule (rules/password.ts) as the API answers it: 422 PASSWORD_POLICY naming the reasons. */
export function assertPasswordPolicy(password: string, username: string): void {
  const reasons = passwordProblems(password, username);
  if (reasons.length)
    throw new ProblemError(
      422,
      'PASSWORD_POLICY',
      'Password not allowed',
      `The password ${reasons.map((p) => PASSWORD_PROBLEM_TEXT[p]).join('; ')}.`,
      { field: 'password', reasons },
    );
}

import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The chosen password's policy (NIST SP 800-63B 3.1.1.2): length, not a known breached
 * or common password (zxcvbn-ts's list of ~50 000 from breach corpora), and not built on
 * the username. No composition rules: they make passwords weaker, not stronger.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const BREACHED = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'BREACHED' | 'CONTAINS_USERNAME';

export function passwordProblems(password: string, username: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN) problems.push('TOO_SHORT');
  if (length > PASSWORD_MAX) problems.push('TOO_LONG');
  const lower = password.toLowerCase();
  if (BREACHED.has(lower)) problems.push('BREACHED');
  if (username && lower.includes(username.toLowerCase())) problems.push('CONTAINS_USERNAME');
  return problems;
}

export const PASSWORD_PROBLEM_TEXT: Record<PasswordProblem, string> = {
  TOO_SHORT: `must be at least ${PASSWORD_MIN} characters`,
  TOO_LONG: `must be at most ${PASSWORD_MAX} characters`,
  BREACHED: 'is a known breached or common password',
  CONTAINS_USERNAME: 'must not contain the username',
};

import { isPrelogin, type MfaPurpose } from '../../messages/mfa';
import type { Principal } from '../http/auth';
import { ProblemError, problems } from '../http/problem';

/** The challenge a caller acts on: its purpose and the user it is bound to, if any. */
export interface ChallengeTarget {
  purpose: MfaPurpose;
  userId?: string | null;
}

/**
 * Who may act on which challenge. `mfa:write` acts only for the user in the token's `sub`;
 * `mfa:any-user` lets a channel backend act for any user. A challenge bound to no user
 * (pre-login ONBOARDING to a given phone or email) needs `mfa:prelogin` or `mfa:write`, and
 * `mfa:prelogin` opens nothing else. Returns the refusal, or undefined when allowed.
 */
export function callerRefusal(principal: Principal, target: ChallengeTarget): ProblemError | undefined {
  const has = (scope: string) => principal.scopes.has(scope);
  if (isPrelogin(target)) {
    return has('mfa:prelogin') || has('mfa:write') ? undefined : problems.forbidden(['mfa:prelogin']);
  }
  if (!has('mfa:write')) return problems.forbidden(['mfa:write']);
  if (target.userId !== principal.subject && !has('mfa:any-user')) return problems.subjectMismatch();
  return undefined;
}

/** Whether the caller may act on any challenge without its target being looked up first. */
export const actsForAnyUser = (principal: Principal) =>
  principal.scopes.has('mfa:write') && principal.scopes.has('mfa:any-user');

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
 * (pre-login ONBOARDING to a given phone or email) needs `mfa:prelogin`, or a channel's
 * `mfa:write` with `mfa:any-user`; `mfa:prelogin` opens nothing else. A user's own token is
 * refused there: its codes to numbers it types go through its user (UPDATE_PHONE, or
 * ONBOARDING naming itself), on that user's budget for numbers not on file, not through a
 * pre-login budget meant for apps. Returns the refusal, or undefined when allowed.
 */
export function callerRefusal(principal: Principal, target: ChallengeTarget): ProblemError | undefined {
  const has = (scope: string) => principal.scopes.has(scope);
  if (isPrelogin(target)) {
    if (has('mfa:prelogin') || (has('mfa:write') && has('mfa:any-user'))) return undefined;
    return has('mfa:write') ? problems.subjectMismatch() : problems.forbidden(['mfa:prelogin']);
  }
  // A pre-login app may ask an ONBOARDING code for a user it names (to the user's contacts
  // on file only); it is not bound to that user, so the challenge is concealed.
  if (target.purpose === 'ONBOARDING' && has('mfa:prelogin') && !boundTo(principal, target)) return undefined;
  if (!has('mfa:write')) return problems.forbidden(['mfa:write']);
  if (target.userId !== principal.subject && !has('mfa:any-user')) return problems.subjectMismatch();
  return undefined;
}

/** The caller acts for this user: its own token (mfa:write for its `sub`), or a channel acting for any user. */
function boundTo(principal: Principal, target: ChallengeTarget): boolean {
  if (!principal.scopes.has('mfa:write')) return false;
  return target.userId === principal.subject || principal.scopes.has('mfa:any-user');
}

/**
 * A caller that names a user it is not bound to (a pre-login app): its challenge is
 * concealed (messages/mfa.ts isConcealed), so no answer tells whether the user exists,
 * is active, has contacts, or whether a code went out.
 */
export const namesUnboundUser = (principal: Principal, target: ChallengeTarget): boolean =>
  !!target.userId && !boundTo(principal, target);

/** Whether the caller may act on any challenge without its target being looked up first. */
export const actsForAnyUser = (principal: Principal) =>
  principal.scopes.has('mfa:write') && principal.scopes.has('mfa:any-user');

/**
 * Settles as `work` does, but not before `ms` have passed: a concealed challenge's decoy
 * (nothing looked up past the failure, nothing sent) answers no faster than a real send.
 */
export async function noSoonerThan<T>(ms: number, work: Promise<T>): Promise<T> {
  const floor = new Promise((resolve) => setTimeout(resolve, ms));
  try {
    return await work;
  } finally {
    await floor;
  }
}

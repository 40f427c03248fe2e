import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CoreBankingUserActivities } from '../../activities/core-banking-users';
import type { CredentialActivities } from '../../activities/credentials';
import {
  firstLoginSignal,
  type FirstLogin,
  passwordIssuedSignal,
  type PasswordExpiryInput,
  type PasswordExpiryResult,
  type PasswordIssued,
} from '../../messages/password-expiry';
import { coreBankingOptions } from '../activity-options';
import { notifyContacts } from '../credential-notices';
import { ProcessTrail } from '../process-trail';

const core = proxyActivities<CoreBankingUserActivities & CredentialActivities>(coreBankingOptions);

/** Runs from before it asked the identity provider whether a reported first login happened. */
const CONFIRMED_FIRST_LOGIN = 'confirmed-first-login';

/**
 * One per IB/MB user: the durable timer of the user's current first-time password. A new
 * issuance (reset) restarts it; a first login stops it; at the deadline the password is
 * revoked in core banking and the customer is told how to get a new one. Each wait, restart
 * and outcome is in the trail.
 */
export async function FirstTimePasswordExpiry(input: PasswordExpiryInput): Promise<PasswordExpiryResult> {
  const trail = new ProcessTrail('FIRST_TIME_PASSWORD_EXPIRY');
  let current: PasswordIssued = input.issued;
  let rearmed = false;
  // Cast, not annotated: TypeScript must not narrow what the signal handler assigns.
  let firstLogin = null as FirstLogin | null;

  setHandler(passwordIssuedSignal, (issued) => {
    // The same issuance again (a retried arm, the start's own signal) changes nothing.
    if (issued.ref === current.ref) return;
    current = issued;
    rearmed = true;
  });
  setHandler(firstLoginSignal, (login) => {
    firstLogin ??= login;
  });

  for (;;) {
    let deadline = 0;
    for (;;) {
      if (firstLogin) {
        const { reportedBy } = firstLogin;
        // A report ends the wait only when the login's holder confirms it (Keycloak: no
        // UPDATE_PASSWORD pending); core banking mode trusts the channel's report.
        const confirmed =
          !patched(CONFIRMED_FIRST_LOGIN) ||
          (
            await trail.step(
              'CONFIRM_FIRST_LOGIN',
              () => core.confirmFirstLogin({ userId: input.userId }),
              (r) => (r.confirmed ? 'confirmed' : `reported by ${reportedBy}, not confirmed: keeps waiting`),
            )
          ).confirmed;
        if (confirmed) {
          trail.record('FIRST_LOGIN', 'COMPLETED', `reported by ${reportedBy}`);
          trail.finish('COMPLETED', 'first login before expiry');
          return { userId: input.userId, outcome: 'FIRST_LOGIN', ref: current.ref };
        }
        firstLogin = null;
      } else if (deadline === 0 || rearmed) {
        // A new issuance restarts the wait from now, with that issuance's TTL; an
        // unconfirmed report keeps the deadline it had.
        rearmed = false;
        deadline = Date.now() + current.ttlMinutes * 60_000;
        trail.record(
          'AWAIT_FIRST_LOGIN',
          'WAITING',
          `password from ${current.issuedBy}; expires at ${new Date(deadline).toISOString()}`,
        );
      }
      const woke = await condition(() => firstLogin !== null || rearmed, Math.max(1, deadline - Date.now()));
      if (!woke) break;
    }

    const { ref, passwordIssuedBy } = current;
    // A password set after the deadline is a newer issuance's (a reset racing the timer):
    // core banking revokes only one set at or before it.
    const expiredAt = new Date(Date.now()).toISOString();
    const { revoked } = await trail.step(
      'REVOKE_PASSWORD',
      () =>
        core.revokeFirstTimePassword({
          userId: input.userId,
          ref,
          setNotAfter: expiredAt,
          // Issuances that name their password: core banking tells whether it is still in force.
          ...(passwordIssuedBy !== undefined && { passwordIssuedBy }),
        }),
      (r) => (r.revoked ? 'revoked in core banking' : 'already changed, newer or none set'),
    );
    if (revoked) {
      const owner = await trail.step('LOOKUP', () => core.lookupCredentialOwner({ userId: input.userId }));
      if (owner.found) {
        await notifyContacts(trail, owner, `${workflowInfo().workflowId}.${ref}`, 'PASSWORD_EXPIRED');
      }
    }
    // Re-armed while this expiry ran (a reset): the new password gets its own timer.
    if (rearmed && !firstLogin) continue;
    trail.finish('COMPLETED', revoked ? 'expired and revoked' : 'expired; nothing to revoke');
    return { userId: input.userId, outcome: 'EXPIRED', ref, revoked };
  }
}

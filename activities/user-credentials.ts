import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { CoreBankingClient, SecurityAnswer } from '../adapters/core-banking/types';
import type { EmailSender } from '../adapters/email/types';
import { isNotFound } from '../adapters/errors';
import type { SmsSender } from '../adapters/sms/types';
import { maskEmail, maskPhone } from '../lib/mask';
import { unseal } from '../lib/mfa-crypto';
import { hashAnswer } from '../lib/security-answers';
import {
  PASSWORD_EXPIRY_WORKFLOW,
  passwordExpiryProcessId,
  passwordIssuedSignal,
  type PasswordExpiryInput,
  type PasswordExpiryResult,
} from '../messages/password-expiry';
import { securityAnswersContext } from '../messages/security-questions';
import { ProcessType } from '../messages/search-attributes';
import { coreBankingContext } from './current-run';
import { translated } from './failures';
import {
  firstLoginConfirmed,
  revokeUnusedLogin,
  syncLoginStatus,
  type IdentityProviderDeps,
} from './identity-provider';
import { tellLinkedSystem, type LinkedSystemsDeps } from './linked-systems';
import { credentialNoticeTemplates } from './notice-templates';
import type { CredentialActivities, CredentialOwner } from './types';
import { doneAt } from './done-at';

/**
 * The credential processes' side effects: reset (with onboarding's password activities),
 * first-time password expiry, lock / unlock / close, security questions. Every write is
 * keyed or idempotent in core banking; every message carries a stable id.
 */
export interface CredentialDeps extends LinkedSystemsDeps, IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  sms: SmsSender;
  email: EmailSender;
  bankName: string;
  serverKey: Buffer;
  temporal: { client: Client; taskQueue: string };
}

export function createCredentialActivities(deps: CredentialDeps): CredentialActivities {
  const { coreBanking } = deps;
  return {
    lookupCredentialOwner: ({ userId }) =>
      translated(async (): Promise<CredentialOwner> => {
        const ctx = coreBankingContext();
        try {
          const user = await coreBanking.getIbUser(userId, ctx);
          const customer = await coreBanking.getCustomer(user.customerId, ctx);
          return {
            found: true,
            userId,
            customerId: user.customerId,
            status: user.status,
            contacts: { phone: customer.mobilePhone, email: customer.email },
            passwordSetAt: user.passwordSetAt,
          };
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return {
            found: false,
            userId,
            customerId: '',
            status: null,
            contacts: { phone: null, email: null },
          };
        }
      }),

    sendCredentialNotice: ({ id, channel, to, kind }) =>
      translated(async () => {
        const text = credentialNoticeTemplates.text(deps.bankName, kind);
        if (channel === 'SMS') {
          await deps.sms.send({ id, to, body: text });
          return { to: maskPhone(to) };
        }
        await deps.email.send({
          id,
          to,
          subject: credentialNoticeTemplates.subject(deps.bankName, kind),
          text,
        });
        return { to: maskEmail(to) };
      }),

    async armPasswordExpiry({ userId, issued, startedBy }) {
      const workflowId = passwordExpiryProcessId(userId);
      // The first login already ended this issuance's timer (a retried or reset step after
      // it): a new run would later revoke the password the customer has chosen since.
      if (await endedByFirstLogin(deps.temporal.client, workflowId, issued.ref))
        return doneAt({ processId: workflowId });
      const args: [PasswordExpiryInput] = [{ userId, issued }];
      // A new run when none is open; else the open one restarts its timer. The signal
      // carries the issuance's ref, so a retried arm is one issuance, not two.
      await deps.temporal.client.workflow.signalWithStart(PASSWORD_EXPIRY_WORKFLOW, {
        workflowId,
        taskQueue: deps.temporal.taskQueue,
        args,
        signal: passwordIssuedSignal,
        signalArgs: [issued],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        memo: startedBy ? { startedBy } : {},
        typedSearchAttributes: [{ key: ProcessType, value: 'FIRST_TIME_PASSWORD_EXPIRY' }],
        staticSummary: `First-time password expiry · user ${userId}`,
        staticDetails:
          'Durable timer: revokes the first-time password unless the first login is reported first.',
      });
      return doneAt({ processId: workflowId });
    },

    revokeFirstTimePassword: ({ userId, setNotAfter, passwordIssuedBy }) =>
      translated(async () => {
        // Where an identity provider holds the login, it alone knows whether it was changed.
        const held = await revokeUnusedLogin(deps, userId, setNotAfter ?? new Date().toISOString());
        if (held) return held;
        const ctx = coreBankingContext();
        const user = await coreBanking.getIbUser(userId, ctx);
        // Changed already (a first login the channel did not report) or none set: nothing to revoke.
        if (!user.mustChangePassword || user.passwordSetAt === null) return { revoked: false };
        if (passwordIssuedBy !== undefined && user.passwordIssuedBy !== undefined) {
          // Core banking's own record of which issuance set the password in force: another
          // one (a reset racing the timer) is kept, whatever the worker's clock says.
          if (user.passwordIssuedBy !== passwordIssuedBy) return { revoked: false };
        } else if (setNotAfter && Date.parse(user.passwordSetAt) > Date.parse(setNotAfter)) {
          // An ESB without passwordIssuedBy, or an issuance from before it: by time. Set
          // after the deadline: a newer first-time password (a reset), not the one expiring.
          return { revoked: false };
        }
        await coreBanking.revokePassword(userId, 'first-time password expired unused', ctx);
        return { revoked: true };
      }),

    applyUserStatus: ({ userId, action, reason }) =>
      translated(async () => {
        const ctx = coreBankingContext();
        const user =
          action === 'LOCK'
            ? await coreBanking.lockIbUser(userId, reason, ctx)
            : action === 'UNLOCK'
              ? await coreBanking.unlockIbUser(userId, reason, ctx)
              : await coreBanking.deactivateIbUser(userId, reason, ctx);
        await syncLoginStatus(deps, userId, user.status);
        return { status: user.status };
      }),

    confirmFirstLogin: ({ userId }) =>
      translated(async () => ({ confirmed: await firstLoginConfirmed(deps, userId) })),

    propagateUserStatus: ({ system, webhookId, userId, customerId, action, status }) =>
      translated(async () => {
        await tellLinkedSystem(deps, system, {
          id: webhookId,
          type: 'ib_user.status_changed',
          payload: { userId, customerId, action, status },
        });
      }),

    storeSecurityAnswers: ({ userId, requestId, businessKey, sealedAnswers }) =>
      translated(async () => {
        let answers: { questionId: string; answer: string }[];
        try {
          answers = JSON.parse(
            unseal(deps.serverKey, securityAnswersContext(userId, requestId), sealedAnswers),
          ) as {
            questionId: string;
            answer: string;
          }[];
        } catch {
          // Another server key, or a blob made for another user or request: retrying cannot help.
          throw ApplicationFailure.create({
            type: 'SEALED_ANSWERS_UNREADABLE',
            message: 'the sealed answers do not open with this server key',
            nonRetryable: true,
          });
        }
        // A fresh salt per attempt: core banking keeps the first write under this businessKey.
        const questions: SecurityAnswer[] = await Promise.all(
          answers.map(async (a) => ({ questionId: a.questionId, answerHash: await hashAnswer(a.answer) })),
        );
        await coreBanking.setSecurityAnswers(userId, { businessKey, questions }, coreBankingContext());
        return { stored: questions.length };
      }),
  };
}

/** Whether the latest expiry run of the user ended by a first login with this issuance. */
async function endedByFirstLogin(client: Client, workflowId: string, ref: string): Promise<boolean> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name !== 'COMPLETED') return false;
    const result = (await handle.result()) as PasswordExpiryResult;
    return result.outcome === 'FIRST_LOGIN' && result.ref === ref;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { CoreBankingClient, SecurityAnswer } from '../adapters/core-banking/types';
import { BusinessError } from '../adapters/errors';
import type { EmailSender } from '../adapters/email/types';
import type { SmsSender } from '../adapters/sms/types';
import { maskEmail, maskPhone } from '../lib/mask';
import { destinationDigest, seal, unseal } from '../lib/mfa-crypto';
import { passwordContext as registrationPasswordContext, unsealSecret } from '../lib/registration-crypto';
import { hashAnswer } from '../lib/security-answers';
import {
  firstTimePasswordIssuance,
  PASSWORD_EXPIRY_WORKFLOW,
  passwordExpiryProcessId,
  passwordIssuedSignal,
  type PasswordExpiryInput,
  type PasswordExpiryResult,
} from '../messages/password-expiry';
import { securityAnswersContext } from '../messages/security-questions';
import { ProcessType } from '../messages/search-attributes';
import { coreBankingContext, currentRun } from './current-run';
import { translated } from './failures';
import { derivedFirstTimePassword, generateFirstTimePassword } from './first-time-password';
import {
  firstLoginConfirmed,
  revokeUnusedLogin,
  setLoginPassword,
  type IdentityProviderDeps,
} from './identity-provider';
import { templates } from './templates';
import type {
  CredentialDelivery,
  FirstTimePasswordInput,
  FirstTimePasswordRevocation,
  PasswordExpiryArming,
  SealedSecurityAnswers,
} from './types';
import { doneAt } from './done-at';

/**
 * Credentials: the first-time password (onboarding and reset alike: sealed, set once per
 * issuance, sent), its expiry timer and revocation, the first login, a self-registered
 * password, security answers. Every write is keyed or conditional in core banking or the
 * identity provider; every message carries a stable id.
 */
export interface CredentialDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  sms: SmsSender;
  /** For credentialDelivery EMAIL; the worker always has one (the outbox by default). */
  email?: EmailSender;
  bankName: string;
  /** Seals the first-time password between the activities that make and send it. */
  serverKey: Buffer;
  temporal: { client: Client; taskQueue: string };
}

/** The sealed password opens only for the onboarding and user it was made for. */
const passwordContext = firstTimePasswordIssuance;

export function createCredentialActivities(deps: CredentialDeps) {
  const { coreBanking, serverKey } = deps;

  return {
    // Derived, not drawn: an ops reset re-runs this step and must seal the same password.
    sealFirstTimePassword: async ({ processId, userId }: { processId: string; userId: string }) =>
      doneAt({
        sealed: seal(
          deps.serverKey,
          passwordContext(processId, userId),
          derivedFirstTimePassword(deps.serverKey, passwordContext(processId, userId)),
        ),
      }),

    issueFirstTimePassword: (input: FirstTimePasswordInput): Promise<CredentialDelivery> =>
      translated(async () => {
        const ctx = coreBankingContext();
        const delivery = input.delivery ?? 'SMS';
        const customer = await coreBanking.getCustomer(input.customerId, ctx);
        const to = delivery === 'EMAIL' ? customer.email : customer.mobilePhone;
        // A proven onboarding: the password goes to the number the customer proved, or nowhere
        // (the number on file changed since: the run fails and the user is deactivated).
        if (
          input.provenPhoneDigest !== undefined &&
          (delivery !== 'SMS' || !to || destinationDigest(deps.serverKey, to) !== input.provenPhoneDigest)
        ) {
          throw new BusinessError(
            'PHONE_MISMATCH',
            'the mobile on file is not the number the phoneProof proved',
          );
        }
        if (!to) {
          // Checked before the password is set: no password nobody can receive.
          throw delivery === 'EMAIL'
            ? new BusinessError('NO_REGISTERED_CONTACT', 'the customer has no email on file')
            : new BusinessError('CUSTOMER_NOT_ELIGIBLE', 'the registered mobile number was removed');
        }
        if (delivery === 'EMAIL' && !deps.email) throw new Error('no email sender configured');
        const { workflowId, runId } = currentRun();
        const { sealedPassword } = input;
        // Sealed: every attempt sets and sends the same password under the same message id,
        // so SMS arriving out of order never leave the customer holding a dead password.
        // (Runs from before sealing make one per attempt, set first, then sent.)
        const issuance = passwordContext(input.processId, input.userId);
        const password = sealedPassword
          ? unseal(deps.serverKey, issuance, sealedPassword)
          : generateFirstTimePassword();
        // One password per issuance (derived), so one message id. Kannel and Twilio do not
        // de-duplicate by it (an SMTP Message-ID or a webhook id lets a receiver do so): what
        // keeps one SMS per attempt is that a send never overlaps its own retry (the adapter
        // aborts with the activity; the step runs as a regular activity). A reset names its
        // own issuance.
        const id = sealedPassword
          ? `${input.messageRef ?? `${workflowId}.${input.userId}`}.first-time-password${delivery === 'EMAIL' ? '.email' : ''}`
          : `${workflowId}.${runId}.first-time-password.${Context.current().info.attempt}`;
        // The customer's own password in force (a retry or an ops reset after the first
        // login): nothing to set, nothing to send.
        const changed = () => ({
          channel: delivery,
          to: delivery === 'EMAIL' ? maskEmail(to) : maskPhone(to),
          status: 'PASSWORD_CHANGED' as const,
          provider: 'none',
        });
        if (deps.identityProvider) {
          // Keyed by that id: an issuance sets the login's password once. Found again after a
          // later issuance, or with no UPDATE_PASSWORD pending, its password is not in force:
          // the customer chose their own, or a reset replaced it. Nothing is sent then.
          const { set, current } = await setLoginPassword(
            deps,
            { userId: input.userId, password, temporary: true, issuance: id, phone: customer.mobilePhone },
            ctx,
          );
          if (!set && (!current || (await firstLoginConfirmed(deps, input.userId)))) return changed();
        } else if (!sealedPassword) {
          // Recorded too, so the expiry can revoke this password by its issuance.
          await coreBanking.setPassword(input.userId, password, true, ctx, { issuedBy: issuance });
        } else if (!(await setUnlessChanged(coreBanking, input, password, issuance))) {
          return changed();
        }
        if (delivery === 'EMAIL') {
          const mail = templates.firstTimePasswordEmail({ bankName: deps.bankName, password });
          const receipt = await (deps.email as EmailSender).send({
            id,
            to,
            subject: mail.subject,
            text: mail.text,
          });
          return {
            channel: 'EMAIL' as const,
            to: maskEmail(to),
            status: 'SENT' as const,
            provider: receipt.provider,
          };
        }
        const receipt = await deps.sms.send({
          id,
          to,
          body: templates.firstTimePasswordSms({ bankName: deps.bankName, password }),
        });
        return {
          channel: 'SMS' as const,
          to: maskPhone(to),
          status: 'SENT' as const,
          provider: receipt.provider,
        };
      }),

    async armPasswordExpiry({ userId, issued, startedBy }: PasswordExpiryArming) {
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

    revokeFirstTimePassword: ({ userId, setNotAfter, passwordIssuedBy }: FirstTimePasswordRevocation) =>
      translated(async () => {
        // Where an identity provider holds the login, it alone knows whether it was changed.
        const held = await revokeUnusedLogin(deps, userId, setNotAfter ?? new Date().toISOString());
        if (held) return held;
        const ctx = coreBankingContext();
        const user = await coreBanking.getIbUser(userId, ctx);
        // Changed already (a first login the channel did not report) or none set: nothing to revoke.
        if (!user.mustChangePassword || user.passwordSetAt === null) return { revoked: false };
        if (passwordIssuedBy !== undefined && user.passwordIssuedBy != null) {
          // Core banking's own record of which issuance set the password in force: another
          // one (a reset racing the timer) is kept, whatever the worker's clock says.
          if (user.passwordIssuedBy !== passwordIssuedBy) return { revoked: false };
        } else if (setNotAfter && Date.parse(user.passwordSetAt) > Date.parse(setNotAfter)) {
          // No issuance recorded (an ESB without passwordIssuedBy, null: a set that named
          // none), or an expiry from before it: by time. Set after the deadline: a newer
          // first-time password (a reset), not the one expiring.
          return { revoked: false };
        }
        await coreBanking.revokePassword(userId, 'first-time password expired unused', ctx);
        return { revoked: true };
      }),

    confirmFirstLogin: ({ userId }: { userId: string }) =>
      translated(async () => ({ confirmed: await firstLoginConfirmed(deps, userId) })),

    // The one place the chosen password is in clear outside the API.
    setRegisteredPassword: ({
      registrationId,
      userId,
      sealedPassword,
    }: {
      registrationId: string;
      userId: string;
      sealedPassword: string;
    }) =>
      translated(async () => {
        const password = unsealSecret(serverKey, registrationPasswordContext(registrationId), sealedPassword);
        const issuance = `${registrationId}.registered-password`;
        await setLoginPassword(deps, { userId, password, temporary: false, issuance }, coreBankingContext());
        return { passwordSet: true as const };
      }),

    storeSecurityAnswers: ({ userId, requestId, businessKey, sealedAnswers }: SealedSecurityAnswers) =>
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

export type CredentialActivities = ReturnType<typeof createCredentialActivities>;

/**
 * Sets this issuance's password unless the password in force moved on without it: true
 * when this issuance's password is in force (set now, or by an earlier attempt or run),
 * false when another one replaced what it replaces (the customer's own, after the first
 * login), which it then leaves alone. Onboarding replaces none; a reset the one its lookup saw.
 */
async function setUnlessChanged(
  coreBanking: CoreBankingClient,
  input: FirstTimePasswordInput,
  password: string,
  issuance: string,
): Promise<boolean> {
  const ctx = coreBankingContext();
  const user = await coreBanking.getIbUser(input.userId, ctx);
  if (user.passwordIssuedBy === issuance) return true;
  const ifPasswordSetAt = input.messageRef === undefined ? null : input.ifPasswordSetAt;
  try {
    // The issuance is recorded with every password set here, conditional or not (a reset
    // whose lookup did not say what it replaces): the expiry revokes by it.
    await coreBanking.setPassword(input.userId, password, true, ctx, {
      ...(ifPasswordSetAt !== undefined && { ifPasswordSetAt }),
      issuedBy: issuance,
    });
    return true;
  } catch (e) {
    if (e instanceof BusinessError && e.code === 'PASSWORD_CHANGED') return false;
    throw e;
  }
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

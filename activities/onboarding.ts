import { ApplicationFailure, Context } from '@temporalio/activity';
import { coreBankingContext, currentRun } from './current-run';
import type { CoreBankingClient } from '../adapters/core-banking/types';
import { BusinessError } from '../adapters/errors';
import type { EmailSender } from '../adapters/email/types';
import type { SmsSender } from '../adapters/sms/types';
import type { WebhookSender, WebhookTarget } from '../adapters/webhooks/types';
import { maskEmail, maskPhone } from '../lib/mask';
import { destinationDigest, seal, unseal } from '../lib/mfa-crypto';
import { linkedCustomersAllowed } from '../rules/eligibility';
import { translated } from './failures';
import { derivedFirstTimePassword, generateFirstTimePassword } from './first-time-password';
import {
  firstLoginConfirmed,
  setLoginPassword,
  syncLoginStatus,
  type IdentityProviderDeps,
} from './identity-provider';
import { firstTimePasswordIssuance } from '../messages/password-expiry';
import { templates } from './templates';
import type { CreatedIbUser, FirstTimePasswordInput, OnboardingActivities } from './types';
import { usernameCandidates } from './username-policy';
import { doneAt } from './done-at';

export interface OnboardingDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  sms: SmsSender;
  /** For credentialDelivery EMAIL; the worker always has one (the outbox by default). */
  email?: EmailSender;
  webhooks: WebhookSender;
  /** null: the username sync goes to the outbox. */
  channelWebhook: WebhookTarget | null;
  bankName: string;
  /** Seals the first-time password between the activities that make and send it. */
  serverKey: Buffer;
}

/** The sealed password opens only for the onboarding and user it was made for. */
const passwordContext = firstTimePasswordIssuance;

const MAX_USERNAME_TRIES = 5;
const LIVE = new Set(['ACTIVE', 'PENDING_AUTHORISATION']);

export function createOnboardingActivities(deps: OnboardingDeps): OnboardingActivities {
  const { coreBanking } = deps;

  return {
    checkEligibility: ({
      customerId,
      phone,
      email,
      credentialDelivery,
      businessKey,
      userReference,
      linkedCustomerIds,
    }) =>
      doneAt(
        translated(async () => {
          const ctx = coreBankingContext();
          let customer;
          try {
            customer = await coreBanking.getCustomer(customerId, ctx);
          } catch (e) {
            if (e instanceof BusinessError && (e.code === 'CUSTOMER_NOT_FOUND' || e.code === 'NOT_FOUND')) {
              return emptyFacts();
            }
            throw e;
          }
          const users = await coreBanking.findIbUsers({ customerId }, ctx);
          const business = customer.type === 'BUSINESS';
          // A reset onboarding meets the user it created itself: that one does not count. A
          // business customer has one user per employee (userReference), a retail one one user.
          const live = users.find(
            (u) =>
              LIVE.has(u.status) &&
              (!businessKey || u.businessKey !== businessKey) &&
              (!business || (u.userReference ?? null) === (userReference ?? null)),
          );
          const businessUserRequested = userReference !== undefined || (linkedCustomerIds?.length ?? 0) > 0;
          // Core banking says whom the business may link; the linked ids are never looked up
          // themselves, so whether an unrelated id exists is not told.
          const linkedCustomersNotRelated =
            business &&
            !linkedCustomersAllowed(customerId, linkedCustomerIds ?? [], customer.relatedCustomerIds ?? []);
          return {
            customerType: customer.type ?? 'RETAIL',
            ...(businessUserRequested && { businessUserRequested }),
            ...(linkedCustomersNotRelated && { linkedCustomersNotRelated }),
            found: true,
            customerStatus: customer.status,
            activeProducts: customer.products.filter((p) => p.status === 'ACTIVE').length,
            hasRegisteredMobile: !!customer.mobilePhone,
            phoneMatchesRegistered:
              phone === undefined ? null : !!customer.mobilePhone && phone === customer.mobilePhone,
            // Emails compare case-insensitively (mailbox case is not relied on by any provider here).
            emailMatchesRegistered:
              email === undefined
                ? null
                : !!customer.email && email.toLowerCase() === customer.email.toLowerCase(),
            ...(credentialDelivery === 'EMAIL' && { hasRegisteredEmail: !!customer.email }),
            liveIbUserId: live?.userId ?? null,
            registeredMobileMasked: customer.mobilePhone ? maskPhone(customer.mobilePhone) : null,
          };
        }),
      ),

    createIbUser: (input) =>
      doneAt(
        translated(async (): Promise<CreatedIbUser> => {
          const ctx = coreBankingContext();
          // T24 has no idempotent create: look for this run's user first.
          const [existing] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
          if (existing) return { ...pick(existing), existed: true };
          const candidates = usernameCandidates(input.customerId, input.preferredUsername);
          for (let attempt = 0; attempt < MAX_USERNAME_TRIES; attempt++) {
            const username = candidates.next().value as string;
            try {
              const user = await coreBanking.createIbUser({ ...input, username }, ctx);
              return { ...pick(user), existed: false };
            } catch (e) {
              if (e instanceof BusinessError && e.code === 'USERNAME_TAKEN') continue;
              if (e instanceof BusinessError && e.code === 'DUPLICATE_BUSINESS_KEY') {
                // A concurrent attempt won the race: that user is ours.
                const [mine] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
                if (mine) return { ...pick(mine), existed: true };
              }
              throw e;
            }
          }
          // A definite answer: retrying draws the same kind of candidates against the same users.
          throw ApplicationFailure.create({
            type: 'USERNAME_UNAVAILABLE',
            message: `no free username after ${MAX_USERNAME_TRIES} candidates`,
            nonRetryable: true,
          });
        }),
      ),

    getIbUserStatus: ({ userId }) =>
      translated(async () => (await coreBanking.getIbUser(userId, coreBankingContext())).status),

    syncUsernameToChannel: (input) =>
      translated(async () => {
        // Core banking mode: the customer's own password (set, no change pending) means the
        // first login happened, with this username.
        if (input.unlessLoggedIn && !deps.identityProvider) {
          const user = await coreBanking.getIbUser(input.userId, coreBankingContext());
          if (!user.mustChangePassword && user.passwordSetAt !== null) return { delivered: 'none' as const };
        }
        const result = await deps.webhooks.send(deps.channelWebhook, {
          id: input.webhookId,
          type: 'ib_user.username_assigned',
          payload: {
            processId: input.processId,
            customerId: input.customerId,
            userId: input.userId,
            username: input.username,
            channel: input.channel,
          },
        });
        return { delivered: result.delivered };
      }),

    // Derived, not drawn: an ops reset re-runs this step and must seal the same password.
    sealFirstTimePassword: async ({ processId, userId }) =>
      doneAt({
        sealed: seal(
          deps.serverKey,
          passwordContext(processId, userId),
          derivedFirstTimePassword(deps.serverKey, passwordContext(processId, userId)),
        ),
      }),

    issueFirstTimePassword: (input) =>
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
          await coreBanking.setPassword(input.userId, password, true, ctx);
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

    deactivateUserByBusinessKey: ({ businessKey, reason }) =>
      translated(async () => {
        const ctx = coreBankingContext();
        const users = await coreBanking.findIbUsers({ businessKey }, ctx);
        for (const u of users) {
          if (!LIVE.has(u.status)) continue;
          const after = await coreBanking.deactivateIbUser(u.userId, reason, ctx);
          // A login the failed onboarding made in the identity provider goes with it.
          await syncLoginStatus(deps, u.userId, after.status);
        }
        return { userId: users[0]?.userId ?? null };
      }),

    deactivateIbUser: ({ userId, reason }) =>
      translated(async () => {
        const after = await coreBanking.deactivateIbUser(userId, reason, coreBankingContext());
        await syncLoginStatus(deps, userId, after.status);
      }),
  };
}

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
    await coreBanking.setPassword(
      input.userId,
      password,
      true,
      ctx,
      ifPasswordSetAt === undefined ? undefined : { ifPasswordSetAt, issuedBy: issuance },
    );
    return true;
  } catch (e) {
    if (e instanceof BusinessError && e.code === 'PASSWORD_CHANGED') return false;
    throw e;
  }
}

function pick(u: { userId: string; username: string; status: CreatedIbUser['status'] }) {
  return { userId: u.userId, username: u.username, status: u.status };
}

function emptyFacts() {
  return {
    found: false,
    activeProducts: 0,
    hasRegisteredMobile: false,
    phoneMatchesRegistered: null,
    emailMatchesRegistered: null,
    liveIbUserId: null,
    registeredMobileMasked: null,
  };
}

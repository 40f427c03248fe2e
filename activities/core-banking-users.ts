import { ApplicationFailure } from '@temporalio/activity';
import { coreBankingContext } from './current-run';
import type {
  CoreBankingClient,
  DisclosureAcceptanceRequest,
  IdentityMatchRequest,
} from '../adapters/core-banking/types';
import { BusinessError, isNotFound } from '../adapters/errors';
import { maskPhone } from '../lib/mask';
import { identityContext, unsealSecret, type RegistrationIdentity } from '../lib/registration-crypto';
import { linkedCustomersAllowed, type EligibilityFacts } from '../rules/eligibility';
import { mayRegisterItself } from '../rules/registration';
import { translated } from './failures';
import { syncLoginStatus, type IdentityProviderDeps } from './identity-provider';
import type {
  CreatedIbUser,
  CreateIbUserInput,
  CredentialOwner,
  EligibilityInput,
  IdentityMatchFacts,
  RegisteredUserInput,
  UserStatusChange,
} from './types';
import { usernameCandidates } from './username-policy';
import { doneAt } from './done-at';

/**
 * IB/MB users in core banking (T24 via the ESB): eligibility, create (onboarding,
 * self-registration), status, lookups and deactivation. T24 has no idempotent create:
 * every create looks for its businessKey first; a login in the identity provider follows
 * the user's status.
 */
export interface CoreBankingUserDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  /** Opens a registration's sealed identity. */
  serverKey: Buffer;
}

const MAX_USERNAME_TRIES = 5;
const LIVE = new Set(['ACTIVE', 'PENDING_AUTHORISATION']);

export function createCoreBankingUserActivities(deps: CoreBankingUserDeps) {
  const { coreBanking, serverKey } = deps;

  return {
    checkEligibility: ({
      customerId,
      phone,
      email,
      credentialDelivery,
      businessKey,
      userReference,
      linkedCustomerIds,
    }: EligibilityInput): Promise<EligibilityFacts> =>
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

    createIbUser: (input: CreateIbUserInput) =>
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

    getIbUserStatus: ({ userId }: { userId: string }) =>
      translated(async () => (await coreBanking.getIbUser(userId, coreBankingContext())).status),

    deactivateUserByBusinessKey: ({ businessKey, reason }: { businessKey: string; reason: string }) =>
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

    deactivateIbUser: ({ userId, reason }: { userId: string; reason: string }) =>
      translated(async () => {
        const after = await coreBanking.deactivateIbUser(userId, reason, coreBankingContext());
        await syncLoginStatus(deps, userId, after.status);
      }),

    lookupCredentialOwner: ({ userId }: { userId: string }) =>
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

    applyUserStatus: ({ userId, action, reason }: UserStatusChange) =>
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

    matchRegistrationIdentity: ({
      registrationId,
      sealedIdentity,
      username,
    }: {
      registrationId: string;
      sealedIdentity: string;
      username: string;
    }): Promise<IdentityMatchFacts> =>
      translated(async () => {
        const identity = JSON.parse(
          unsealSecret(serverKey, identityContext(registrationId), sealedIdentity),
        ) as RegistrationIdentity;
        const match = await coreBanking.matchCustomerIdentity(
          identityMatchRequest(identity),
          coreBankingContext(),
        );
        if (!match.matched || !match.customerId) return { matched: false as const };
        const customer = await coreBanking.getCustomer(match.customerId, coreBankingContext());
        // The same answer as a mismatch: nothing is sent and nothing said about the customer.
        if (!mayRegisterItself(customer.type)) return { matched: false as const };
        // Checked before any code is sent: a taken name is refused while nothing has happened.
        const taken = await coreBanking.findIbUsers({ username }, coreBankingContext());
        return {
          matched: true as const,
          customerId: match.customerId,
          customerType: customer.type ?? 'RETAIL',
          usernameTaken: taken.some((u) => u.status !== 'DEACTIVATED' && u.status !== 'REJECTED'),
        };
      }),

    createRegisteredUser: (input: RegisteredUserInput) =>
      translated(async (): Promise<CreatedIbUser> => {
        const ctx = coreBankingContext();
        // T24 has no idempotent create: look for this registration's user first.
        const [existing] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
        if (existing) return { ...pick(existing), existed: true };
        try {
          // The name the customer chose, or none: never a generated one behind their back.
          return { ...pick(await coreBanking.createIbUser(input, ctx)), existed: false };
        } catch (e) {
          if (e instanceof BusinessError && e.code === 'DUPLICATE_BUSINESS_KEY') {
            const [mine] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
            if (mine) return { ...pick(mine), existed: true };
          }
          throw e;
        }
      }),

    recordDisclosureAcceptance: ({
      customerId,
      ...req
    }: DisclosureAcceptanceRequest & { customerId: string }) =>
      doneAt(
        translated(async () => {
          const record = await coreBanking.recordDisclosureAcceptance(customerId, req, coreBankingContext());
          return { acceptanceId: record.acceptanceId };
        }),
      ),

    deactivateRegisteredUser: ({ businessKey, reason }: { businessKey: string; reason: string }) =>
      translated(async () => {
        const users = await coreBanking.findIbUsers({ businessKey }, coreBankingContext());
        for (const u of users) {
          if (!LIVE.has(u.status)) continue;
          const after = await coreBanking.deactivateIbUser(u.userId, reason, coreBankingContext());
          await syncLoginStatus(deps, u.userId, after.status);
        }
        return { userId: users[0]?.userId ?? null };
      }),
  };
}

export type CoreBankingUserActivities = ReturnType<typeof createCoreBankingUserActivities>;

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

/** The typed identity as core banking's identity match takes it: every factor the customer gave. */
export function identityMatchRequest(identity: RegistrationIdentity): IdentityMatchRequest {
  return {
    firstName: identity.firstName,
    lastName: identity.lastName,
    dateOfBirth: identity.dateOfBirth,
    ...(identity.nationalIdLast4 !== undefined && { nationalIdLast4: identity.nationalIdLast4 }),
    ...(identity.socialSecurityNumber !== undefined && { nationalId: identity.socialSecurityNumber }),
    ...(identity.postalAddress !== undefined && { postalAddress: identity.postalAddress }),
    ...(identity.phoneNumber !== undefined && { mobilePhone: identity.phoneNumber }),
    ...(identity.emailAddress !== undefined && { email: identity.emailAddress }),
    ...(identity.mothersMaidenName !== undefined && { mothersMaidenName: identity.mothersMaidenName }),
  };
}

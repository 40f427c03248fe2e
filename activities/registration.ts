import type { CoreBankingClient, IdentityMatchRequest } from '../adapters/core-banking/types';
import { BusinessError } from '../adapters/errors';
import {
  identityContext,
  passwordContext,
  unsealSecret,
  type RegistrationIdentity,
} from '../lib/registration-crypto';
import { mayRegisterItself } from '../rules/registration';
import { coreBankingContext } from './current-run';
import { translated } from './failures';
import { setLoginPassword, syncLoginStatus, type IdentityProviderDeps } from './identity-provider';
import type { CreatedIbUser } from './types';
import type { RegistrationActivities } from './registration-types';
import { doneAt } from './done-at';

export type * from './registration-types';

export interface RegistrationDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  serverKey: Buffer;
}

const LIVE = new Set(['ACTIVE', 'PENDING_AUTHORISATION']);

export function createRegistrationActivities(deps: RegistrationDeps): RegistrationActivities {
  const { coreBanking, serverKey } = deps;

  return {
    matchRegistrationIdentity: ({ registrationId, sealedIdentity, username }) =>
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

    createRegisteredUser: (input) =>
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

    // The one place the chosen password is in clear outside the API.
    setRegisteredPassword: ({ registrationId, userId, sealedPassword }) =>
      translated(async () => {
        const password = unsealSecret(serverKey, passwordContext(registrationId), sealedPassword);
        const issuance = `${registrationId}.registered-password`;
        await setLoginPassword(deps, { userId, password, temporary: false, issuance }, coreBankingContext());
        return { passwordSet: true as const };
      }),

    recordDisclosureAcceptance: ({ customerId, ...req }) =>
      doneAt(
        translated(async () => {
          const record = await coreBanking.recordDisclosureAcceptance(customerId, req, coreBankingContext());
          return { acceptanceId: record.acceptanceId };
        }),
      ),

    deactivateRegisteredUser: ({ businessKey, reason }) =>
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

function pick(u: { userId: string; username: string; status: CreatedIbUser['status'] }) {
  return { userId: u.userId, username: u.username, status: u.status };
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

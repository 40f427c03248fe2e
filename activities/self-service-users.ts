import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CoreBankingClient, IbUser } from '../adapters/core-banking/types';
import type { EmailSender } from '../adapters/email/types';
import { BusinessError } from '../adapters/errors';
import type { SelfServiceLogins } from '../adapters/identity-provider/types';
import type { SmsSender } from '../adapters/sms/types';
import { maskEmail, maskPhone } from '../lib/mask';
import {
  sealSelfServicePassword,
  selfServicePasswordContext,
  unsealSelfServicePassword,
} from '../lib/self-service-password';
import {
  SELF_SERVICE_MARKER_ROLE,
  SELF_SERVICE_ROLES,
  type SelfServiceRole,
  type SelfServiceUserState,
} from '../messages/self-service-users';
import { linkedCustomersAllowed } from '../rules/eligibility';
import { coreBankingContext } from './current-run';
import { translated } from './failures';
import { derivedFirstTimePassword } from './first-time-password';
import { syncLoginStatus, type IdentityProviderDeps } from './identity-provider';
import type {
  SelfServiceIbUserInput,
  SelfServiceLoginInput,
  SelfServicePasswordSend,
} from './self-service-user-types';
import type { CreatedIbUser, CredentialDelivery } from './types';
import { templates } from './templates';

export interface SelfServiceUserDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
  sms: SmsSender;
  email?: EmailSender;
  bankName: string;
  serverKey: Buffer;
}

/** Self-service users live in core banking under this channel. */
const CHANNEL = 'SELF_SERVICE';

const cancellation = (): AbortSignal | undefined => {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
};

function selfServiceProvider(deps: SelfServiceUserDeps): SelfServiceLogins {
  const p = deps.identityProvider as Partial<SelfServiceLogins> | undefined;
  if (!p?.provisionSelfServiceLogin)
    // Configuration, not a transient fault: the run ends at once with a clear reason.
    throw ApplicationFailure.create({
      type: 'IDENTITY_PROVIDER_REQUIRED',
      message: 'self-service users need IDENTITY_PROVIDER=keycloak',
      nonRetryable: true,
    });
  return p as SelfServiceLogins;
}

export function createSelfServiceUserActivities(deps: SelfServiceUserDeps) {
  const { coreBanking } = deps;
  return {
    createSelfServiceIbUser: (input: SelfServiceIbUserInput): Promise<CreatedIbUser> =>
      translated(async () => {
        const ctx = coreBankingContext();
        // T24 has no idempotent create: this run's user first.
        const [existing] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
        const pick = (u: IbUser) => ({ userId: u.userId, username: u.username, status: u.status });
        if (existing) return { ...pick(existing), existed: true };
        try {
          const user = await coreBanking.createIbUser(
            {
              businessKey: input.businessKey,
              customerId: input.customerId,
              username: input.username,
              channel: CHANNEL,
              acceptedDisclosures: [],
              // One live self-service user per username within the business.
              userReference: input.username,
              linkedCustomerIds: input.linkedCustomerIds,
            },
            ctx,
          );
          return { ...pick(user), existed: false };
        } catch (e) {
          if (e instanceof BusinessError && e.code === 'DUPLICATE_BUSINESS_KEY') {
            const [mine] = await coreBanking.findIbUsers({ businessKey: input.businessKey }, ctx);
            if (mine) return { ...pick(mine), existed: true };
          }
          throw e;
        }
      }),

    // Derived, not drawn: an ops reset re-runs this step and seals the same password.
    sealGeneratedSelfServicePassword: async ({ processId }: { processId: string }) => {
      const context = selfServicePasswordContext(processId);
      return {
        sealed: sealSelfServicePassword(
          deps.serverKey,
          context,
          derivedFirstTimePassword(deps.serverKey, context),
        ),
      };
    },

    provisionSelfServiceLogin: (input: SelfServiceLoginInput) =>
      translated(async () => {
        const provider = selfServiceProvider(deps);
        const password = unsealSelfServicePassword(
          deps.serverKey,
          selfServicePasswordContext(input.processId),
          input.sealedPassword,
        );
        const user = await coreBanking.getIbUser(input.userId, coreBankingContext());
        return provider.provisionSelfServiceLogin(
          {
            owner: { userId: input.userId, username: user.username, customerId: user.customerId },
            password,
            temporary: input.temporary,
            issuance: input.issuance,
            issuedAt: new Date().toISOString(),
            email: input.email,
            firstName: input.firstname,
            lastName: input.lastname,
            officeId: input.officeId,
            clients: input.clients,
            roles: [SELF_SERVICE_MARKER_ROLE, ...input.roles],
            managedRoles: [SELF_SERVICE_MARKER_ROLE, ...SELF_SERVICE_ROLES],
          },
          cancellation(),
        );
      }),

    sendSelfServicePassword: (input: SelfServicePasswordSend): Promise<CredentialDelivery> =>
      translated(async () => {
        const password = unsealSelfServicePassword(
          deps.serverKey,
          selfServicePasswordContext(input.processId),
          input.sealedPassword,
        );
        if (input.delivery === 'EMAIL') {
          if (!deps.email) throw new Error('no email sender configured');
          const mail = templates.firstTimePasswordEmail({ bankName: deps.bankName, password });
          const receipt = await deps.email.send({
            id: input.messageId,
            to: input.email,
            subject: mail.subject,
            text: mail.text,
          });
          return {
            channel: 'EMAIL' as const,
            to: maskEmail(input.email),
            status: 'SENT' as const,
            provider: receipt.provider,
          };
        }
        const customer = await coreBanking.getCustomer(input.customerId, coreBankingContext());
        if (!customer.mobilePhone)
          throw new BusinessError('CUSTOMER_NOT_ELIGIBLE', 'the business has no mobile number on file');
        const receipt = await deps.sms.send({
          id: input.messageId,
          to: customer.mobilePhone,
          body: templates.firstTimePasswordSms({ bankName: deps.bankName, password }),
        });
        return {
          channel: 'SMS' as const,
          to: maskPhone(customer.mobilePhone),
          status: 'SENT' as const,
          provider: receipt.provider,
        };
      }),

    readSelfServiceUser: ({ userId }: { userId: string }): Promise<SelfServiceUserState> =>
      translated(async () => {
        const notFound = new BusinessError('USER_NOT_FOUND', 'no self-service user with this id');
        let user;
        try {
          user = await coreBanking.getIbUser(userId, coreBankingContext());
        } catch (e) {
          if (e instanceof BusinessError && (e.code === 'USER_NOT_FOUND' || e.code === 'NOT_FOUND'))
            throw notFound;
          throw e;
        }
        if (user.channel !== CHANNEL) throw notFound;
        const login = await selfServiceProvider(deps).readSelfServiceLogin(
          userId,
          [...SELF_SERVICE_ROLES],
          cancellation(),
        );
        if (!login) throw notFound;
        return {
          userId,
          username: user.username,
          businessCustomerId: user.customerId,
          clients: login.clients,
          roles: login.roles as SelfServiceRole[],
          officeId: login.officeId,
          isSelfServiceUser: true as const,
          status: user.status,
        };
      }),

    checkSelfServiceClients: ({
      businessCustomerId,
      linked,
    }: {
      businessCustomerId: string;
      linked: string[];
    }) =>
      translated(async () => {
        const business = await coreBanking.getCustomer(businessCustomerId, coreBankingContext());
        return {
          allowed:
            business.type === 'BUSINESS' &&
            linkedCustomersAllowed(businessCustomerId, linked, business.relatedCustomerIds ?? []),
        };
      }),

    setSelfServiceLinkedCustomers: ({
      userId,
      linkedCustomerIds,
    }: {
      userId: string;
      linkedCustomerIds: string[];
    }) =>
      translated(async () => {
        await coreBanking.setLinkedCustomers(userId, linkedCustomerIds, coreBankingContext());
      }),

    setSelfServiceAccess: ({
      userId,
      clients,
      roles,
    }: {
      userId: string;
      clients: string[];
      roles: SelfServiceRole[];
    }) =>
      translated(async () => {
        const { found } = await selfServiceProvider(deps).setSelfServiceAccess(
          userId,
          {
            clients,
            roles: [SELF_SERVICE_MARKER_ROLE, ...roles],
            managedRoles: [SELF_SERVICE_MARKER_ROLE, ...SELF_SERVICE_ROLES],
          },
          cancellation(),
        );
        if (!found) throw new BusinessError('USER_NOT_FOUND', 'the self-service user has no login');
      }),

    disableSelfServiceLogin: ({ userId }: { userId: string }) =>
      translated(async () => {
        await syncLoginStatus(deps, userId, 'DEACTIVATED');
      }),
  };
}

export type SelfServiceUserActivities = ReturnType<typeof createSelfServiceUserActivities>;

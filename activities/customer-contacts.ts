import { coreBankingContext } from './current-run';
import type { CoreBankingClient, Customer } from '../adapters/core-banking/types';
import { isNotFound, TransientError } from '../adapters/errors';
import { maskEmail, maskPhone } from '../lib/mask';
import type { ContactChange, ContactField, ContactInfoRead } from '../messages/contact-change';
import { translated } from './failures';
import { syncLoginPhone, type IdentityProviderDeps } from './identity-provider';
import type { ContactOwner } from './types';

/** A customer's contacts in core banking: read (masked), owner lookup, the change itself. */
export interface CustomerContactDeps extends IdentityProviderDeps {
  coreBanking: CoreBankingClient;
}

/** A street line recognisable by its first characters only ("1 B••••••••••"). */
function maskStreet(line: string): string {
  const shown = Math.min(3, Math.floor(line.length / 3));
  return line.slice(0, shown) + '•'.repeat(Math.max(line.length - shown, 3));
}

function changedFields(customer: Customer, change: ContactChange): ContactField[] {
  const out: ContactField[] = [];
  if (change.phone && change.phone !== customer.mobilePhone) out.push('phone');
  if (change.email && change.email.toLowerCase() !== customer.email?.toLowerCase()) out.push('email');
  if (
    change.postalAddress &&
    JSON.stringify(change.postalAddress) !== JSON.stringify(customer.postalAddress ?? null)
  ) {
    out.push('postalAddress');
  }
  return out;
}

export function createCustomerContactActivities(deps: CustomerContactDeps) {
  const { coreBanking } = deps;

  return {
    readContactInfo: ({ customerId }: { customerId: string }) =>
      translated(async (): Promise<ContactInfoRead> => {
        try {
          const c = await coreBanking.getCustomer(customerId, coreBankingContext());
          // Masked here: the workflow's history holds nothing usable.
          return {
            found: true,
            contactInfo: {
              customerId: c.customerId,
              phoneNumber: c.mobilePhone ? maskPhone(c.mobilePhone) : null,
              emailAddress: c.email ? maskEmail(c.email) : null,
              postalAddress: c.postalAddress
                ? {
                    address1: maskStreet(c.postalAddress.line1),
                    city: c.postalAddress.city,
                    country: c.postalAddress.country,
                  }
                : null,
            },
          };
        } catch (e) {
          if (isNotFound(e)) return { found: false, contactInfo: null };
          throw e;
        }
      }),

    lookupContactOwner: ({
      userId,
      customerId,
      change,
    }: {
      userId?: string;
      customerId?: string;
      change: ContactChange;
    }) =>
      translated(async (): Promise<ContactOwner> => {
        const none = {
          found: false,
          customerId: customerId ?? '',
          userId: userId ?? null,
          current: { phone: null, email: null },
          changed: [],
        };
        let ownerCustomerId = customerId;
        let ownerUserId = userId ?? null;
        try {
          if (userId) {
            const user = await coreBanking.getIbUser(userId, coreBankingContext());
            // Both given: they must name the same customer.
            if (user.status !== 'ACTIVE' || (customerId && customerId !== user.customerId)) return none;
            ownerCustomerId = user.customerId;
          }
          const customer = await coreBanking.getCustomer(ownerCustomerId as string, coreBankingContext());
          if (!userId && change.phone) {
            // The customer's own phone change is bound to their live IB/MB user.
            const live = (
              await coreBanking.findIbUsers({ customerId: customer.customerId }, coreBankingContext())
            ).find((u) => u.status === 'ACTIVE');
            ownerUserId = live?.userId ?? null;
          }
          return {
            found: true,
            customerId: customer.customerId,
            userId: ownerUserId,
            current: { phone: customer.mobilePhone, email: customer.email },
            changed: changedFields(customer, change),
          };
        } catch (e) {
          if (isNotFound(e)) return none;
          throw e;
        }
      }),

    applyContactChange: ({
      customerId,
      businessKey,
      change,
    }: {
      customerId: string;
      businessKey: string;
      change: ContactChange;
    }) =>
      translated(async () => {
        await coreBanking.updateContact(
          customerId,
          {
            businessKey,
            mobilePhone: change.phone,
            email: change.email,
            postalAddress: change.postalAddress,
          },
          coreBankingContext(),
        );
        // Read back: the change counts once core banking shows it.
        const after = await coreBanking.getCustomer(customerId, coreBankingContext());
        if (changedFields(after, change).length)
          throw new TransientError('core banking does not show the change yet');
        if (change.phone) await syncLoginPhone(deps, customerId, change.phone, coreBankingContext());
      }),
  };
}

export type CustomerContactActivities = ReturnType<typeof createCustomerContactActivities>;

import type { BusinessCode } from '../messages/failures';

/** Only a retail customer registers itself; a business customer's users are opened by the bank. */
export type CustomerType = 'RETAIL' | 'BUSINESS';

/** Facts about a customer, without contact details: the workflow decides on them. */
export interface EligibilityFacts {
  found: boolean;
  customerStatus?: 'ACTIVE' | 'BLOCKED' | 'DECEASED';
  activeProducts: number;
  hasRegisteredMobile: boolean;
  /** null when the request carried no phone. */
  phoneMatchesRegistered: boolean | null;
  /** null (or absent, in runs from before it) when the request carried no email. */
  emailMatchesRegistered?: boolean | null;
  /** Present only when the password goes by EMAIL. */
  hasRegisteredEmail?: boolean;
  liveIbUserId: string | null;
  /** For responses: "+2547•••••001". */
  registeredMobileMasked: string | null;
  /** Absent in runs from before business users: RETAIL. */
  customerType?: CustomerType;
  /** The request named a userReference or linked customers (a business customer's user). */
  businessUserRequested?: boolean;
  /** Linked customers core banking does not know (runs from before linkedCustomersNotRelated). */
  unknownLinkedCustomerIds?: string[];
  /** A linked customer is not among the business customer's relations, is repeated, or is itself. */
  linkedCustomersNotRelated?: boolean;
}

export type EligibilityVerdict =
  | { eligible: true }
  | { eligible: false; code: BusinessCode; message: string; extensions: Record<string, unknown> };

/**
 * Whether a business customer may link these customers to one of its users: only the
 * customers core banking relates to it (relatedCustomerIds), each once, never itself. One
 * yes/no whatever the reason, so an unknown id and an unrelated one look alike.
 */
export function linkedCustomersAllowed(
  customerId: string,
  linkedCustomerIds: readonly string[],
  relatedCustomerIds: readonly string[],
): boolean {
  const related = new Set(relatedCustomerIds);
  return (
    new Set(linkedCustomerIds).size === linkedCustomerIds.length &&
    linkedCustomerIds.every((id) => id !== customerId && related.has(id))
  );
}

/** Pure decision over core-banking facts, in the order a branch officer would check. */
export function eligibilityVerdict(f: EligibilityFacts): EligibilityVerdict {
  const refuse = (
    code: BusinessCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ): EligibilityVerdict => ({
    eligible: false,
    code,
    message,
    extensions,
  });
  if (!f.found) return refuse('CUSTOMER_NOT_FOUND', 'The customer does not exist in core banking.');
  if (f.customerStatus && f.customerStatus !== 'ACTIVE') {
    return refuse('CUSTOMER_NOT_ELIGIBLE', 'The customer record is not active.', {
      reason: 'CUSTOMER_NOT_ACTIVE',
    });
  }
  if (f.businessUserRequested && f.customerType !== 'BUSINESS') {
    return refuse(
      'CUSTOMER_NOT_ELIGIBLE',
      'Only a business customer has several users (userReference, linkedCustomerIds).',
      {
        reason: 'NOT_A_BUSINESS_CUSTOMER',
      },
    );
  }
  if (f.linkedCustomersNotRelated) {
    return refuse(
      'LINKED_CUSTOMER_NOT_RELATED',
      'A linked customer is not one core banking relates to this business customer.',
    );
  }
  // Only runs recorded before relatedCustomerIds carry this fact; kept so they replay alike.
  if (f.unknownLinkedCustomerIds?.length) {
    return refuse('CUSTOMER_NOT_FOUND', 'A linked customer does not exist in core banking.', {
      linkedCustomerIds: f.unknownLinkedCustomerIds,
    });
  }
  if (f.liveIbUserId) return refuse('ALREADY_REGISTERED', 'The customer already has an IB/MB user.');
  if (f.activeProducts < 1) {
    return refuse('CUSTOMER_NOT_ELIGIBLE', 'The customer holds no active product.', { reason: 'NO_PRODUCT' });
  }
  if (!f.hasRegisteredMobile) {
    return refuse('CUSTOMER_NOT_ELIGIBLE', 'The customer has no registered mobile number.', {
      reason: 'NO_REGISTERED_MOBILE',
    });
  }
  if (f.phoneMatchesRegistered === false) {
    return refuse(
      'PHONE_MISMATCH',
      'The phone given does not match the mobile number registered in core banking.',
    );
  }
  // Checked like the phone: a channel that typed another address than the bank holds
  // must not believe the password goes there.
  if (f.emailMatchesRegistered === false) {
    return refuse('EMAIL_MISMATCH', 'The email given does not match the email registered in core banking.');
  }
  if (f.hasRegisteredEmail === false) {
    return refuse(
      'CUSTOMER_NOT_ELIGIBLE',
      'The customer has no email on file for credentialDelivery EMAIL.',
      {
        reason: 'NO_REGISTERED_EMAIL',
      },
    );
  }
  return { eligible: true };
}

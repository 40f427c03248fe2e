import type { CustomerType } from './eligibility';

/**
 * Only a retail customer registers itself: a business customer's users are its employees,
 * opened by the bank with a userReference (docs/registration.md). A business match is
 * answered as no match at all.
 */
export function mayRegisterItself(type: CustomerType | undefined): boolean {
  return (type ?? 'RETAIL') === 'RETAIL';
}

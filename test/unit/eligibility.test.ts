import type { EligibilityFacts } from '../../activities/types';
import { eligibilityVerdict } from '../../rules/eligibility';

const eligible: EligibilityFacts = {
  found: true,
  customerStatus: 'ACTIVE',
  activeProducts: 1,
  hasRegisteredMobile: true,
  phoneMatchesRegistered: null,
  liveIbUserId: null,
  registeredMobileMasked: '+254••••••001',
};

describe('eligibility verdict', () => {
  it('accepts an eligible customer', () => {
    expect(eligibilityVerdict(eligible)).toEqual({ eligible: true });
    expect(eligibilityVerdict({ ...eligible, phoneMatchesRegistered: true })).toEqual({ eligible: true });
  });

  it.each<[Partial<EligibilityFacts>, string, string | undefined]>([
    [{ found: false }, 'CUSTOMER_NOT_FOUND', undefined],
    [{ customerStatus: 'BLOCKED' }, 'CUSTOMER_NOT_ELIGIBLE', 'CUSTOMER_NOT_ACTIVE'],
    [{ liveIbUserId: 'IBU1' }, 'ALREADY_REGISTERED', undefined],
    [{ activeProducts: 0 }, 'CUSTOMER_NOT_ELIGIBLE', 'NO_PRODUCT'],
    [{ hasRegisteredMobile: false }, 'CUSTOMER_NOT_ELIGIBLE', 'NO_REGISTERED_MOBILE'],
    [{ phoneMatchesRegistered: false }, 'PHONE_MISMATCH', undefined],
    [{ emailMatchesRegistered: false }, 'EMAIL_MISMATCH', undefined],
    [{ hasRegisteredEmail: false }, 'CUSTOMER_NOT_ELIGIBLE', 'NO_REGISTERED_EMAIL'],
  ])('refuses %j with %s', (change, code, reason) => {
    const v = eligibilityVerdict({ ...eligible, ...change });
    expect(v).toMatchObject({ eligible: false, code });
    if (!v.eligible) expect(v.extensions.reason).toBe(reason);
  });
});

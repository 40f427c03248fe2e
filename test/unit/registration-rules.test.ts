import { createChallengeRequest } from '../../api/mfa/schema';
import type { EligibilityFacts } from '../../activities/types';
import { passwordProblems } from '../../rules/password';
import { identityDigest, registrationKeys, sealSecret, unsealSecret } from '../../lib/registration-crypto';
import { seal } from '../../lib/mfa-crypto';
import type { DisclosureRecord } from '../../messages/disclosures';
import { disclosureVerdict } from '../../rules/disclosures';
import { eligibilityVerdict, linkedCustomersAllowed } from '../../rules/eligibility';

const KEY = Buffer.alloc(32, 7);
const records: DisclosureRecord[] = [
  { id: 'IB_TERMS', version: 2, title: 'Terms', text: 't', sha256: 'a'.repeat(64) },
  { id: 'PRIVACY', version: 1, title: 'Privacy', text: 'p', sha256: 'b'.repeat(64) },
];

describe('disclosures rule', () => {
  it('accepts every current version, in either form, and returns the evidence', () => {
    expect(disclosureVerdict(records, [{ id: 'IB_TERMS', version: 2 }, 'PRIVACY'])).toEqual({
      accepted: true,
      disclosures: [
        { id: 'IB_TERMS', version: 2, sha256: 'a'.repeat(64) },
        { id: 'PRIVACY', version: 1, sha256: 'b'.repeat(64) },
      ],
    });
  });

  it('names what is missing and, for a stale version, the current one', () => {
    const v = disclosureVerdict(records, [{ id: 'IB_TERMS', version: 1 }]);
    expect(v).toMatchObject({
      accepted: false,
      code: 'DISCLOSURES_NOT_ACCEPTED',
      extensions: { missing: ['PRIVACY'], stale: [{ id: 'IB_TERMS', accepted: 1, current: 2 }] },
    });
    if (!v.accepted) expect(v.message).toContain('IB_TERMS is at version 2');
  });
});

describe('password policy', () => {
  it.each([
    ['violet-harbour-lantern-42', 'grace.njeri', []],
    ['Zq8#wx', 'grace.njeri', ['TOO_SHORT']],
    ['x'.repeat(129), 'grace.njeri', ['TOO_LONG']],
    ['QWERTY123456', 'grace.njeri', ['BREACHED']],
    ['my-Grace.Njeri-pass', 'grace.njeri', ['CONTAINS_USERNAME']],
  ])('%s (username %s) → %j', (password, username, problems) => {
    expect(passwordProblems(password, username)).toEqual(problems);
  });
});

describe('registration crypto', () => {
  it('keys the attempt limit by the person, not the spelling or the guess', () => {
    const a = identityDigest(KEY, { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-09' });
    expect(identityDigest(KEY, { firstName: ' GRACE', lastName: 'njeri ', dateOfBirth: '1995-09-09' })).toBe(
      a,
    );
    expect(
      identityDigest(KEY, { firstName: 'Grace', lastName: 'Njeri', dateOfBirth: '1995-09-10' }),
    ).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('derives the same keys for the same caller and requestId only', () => {
    const k = registrationKeys(KEY, 'app', 'req-1');
    expect(registrationKeys(KEY, 'app', 'req-1')).toEqual(k);
    expect(registrationKeys(KEY, 'other', 'req-1').registrationId).not.toBe(k.registrationId);
  });

  it('opens a sealed secret only for its context, and not with the MFA sealing key', () => {
    const sealed = sealSecret(KEY, 'registration-password:r1', 'violet-harbour-lantern-42');
    expect(sealed).not.toContain('violet');
    expect(unsealSecret(KEY, 'registration-password:r1', sealed)).toBe('violet-harbour-lantern-42');
    expect(() => unsealSecret(KEY, 'registration-password:r2', sealed)).toThrow();
    // A blob made with the MFA seal (another derived key) does not open here.
    const mfaBlob = seal(KEY, 'registration-password:r1', 'x').replace(/^v1\./, 'r1.');
    expect(() => unsealSecret(KEY, 'registration-password:r1', mfaBlob)).toThrow();
  });
});

describe('eligibility for business users', () => {
  const base: EligibilityFacts = {
    found: true,
    customerStatus: 'ACTIVE',
    activeProducts: 1,
    hasRegisteredMobile: true,
    phoneMatchesRegistered: null,
    liveIbUserId: null,
    registeredMobileMasked: null,
  };
  it('refuses employee users for a retail customer and unknown linked customers', () => {
    expect(
      eligibilityVerdict({ ...base, businessUserRequested: true, customerType: 'RETAIL' }),
    ).toMatchObject({
      code: 'CUSTOMER_NOT_ELIGIBLE',
      extensions: { reason: 'NOT_A_BUSINESS_CUSTOMER' },
    });
    expect(
      eligibilityVerdict({
        ...base,
        businessUserRequested: true,
        customerType: 'BUSINESS',
        unknownLinkedCustomerIds: ['9'],
      }),
    ).toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    expect(eligibilityVerdict({ ...base, businessUserRequested: true, customerType: 'BUSINESS' })).toEqual({
      eligible: true,
    });
  });

  it('refuses linked customers core banking does not relate to the business', () => {
    expect(
      eligibilityVerdict({
        ...base,
        businessUserRequested: true,
        customerType: 'BUSINESS',
        linkedCustomersNotRelated: true,
      }),
    ).toEqual({
      eligible: false,
      code: 'LINKED_CUSTOMER_NOT_RELATED',
      message: expect.any(String),
      extensions: {},
    });
  });
});

describe('linkedCustomersAllowed', () => {
  it('allows only related customers, each once, never the business itself', () => {
    expect(linkedCustomersAllowed('B1', [], [])).toBe(true);
    expect(linkedCustomersAllowed('B1', ['C1', 'C2'], ['C2', 'C1', 'C3'])).toBe(true);
    expect(linkedCustomersAllowed('B1', ['C9'], ['C1'])).toBe(false);
    expect(linkedCustomersAllowed('B1', ['C1', 'C1'], ['C1'])).toBe(false);
    expect(linkedCustomersAllowed('B1', ['B1'], ['B1'])).toBe(false);
    expect(linkedCustomersAllowed('B1', ['C1'], [])).toBe(false);
  });
});

describe('the REGISTRATION purpose', () => {
  it('cannot be asked for through POST /mfa/challenges: only self-registration starts one', () => {
    expect(
      createChallengeRequest.safeParse({ purpose: 'REGISTRATION', phone: '+254700100005' }).success,
    ).toBe(false);
    expect(createChallengeRequest.safeParse({ purpose: 'ONBOARDING', phone: '+254700100005' }).success).toBe(
      true,
    );
  });
});

import { loadConfig } from '../../config';
import { canonicalPhone, isKnownCountry, phoneRefusal } from '../../rules/phone';

describe('which numbers may be texted a code', () => {
  const KE = ['KE'];

  it('takes valid mobiles of an allowed country', () => {
    expect(phoneRefusal('+254700100001', KE)).toBeUndefined();
    expect(phoneRefusal('+254110000001', KE)).toBeUndefined();
    expect(phoneRefusal('+255610010001', ['KE', 'TZ'])).toBeUndefined();
  });

  it('refuses other countries, fixed lines and invalid numbers', () => {
    expect(phoneRefusal('+255610010001', KE)).toBe('COUNTRY_NOT_ALLOWED');
    expect(phoneRefusal('+447911123456', KE)).toBe('COUNTRY_NOT_ALLOWED');
    expect(phoneRefusal('+254200000000', KE)).toBe('CANNOT_RECEIVE_SMS');
    expect(phoneRefusal('+19005550100', ['US'])).toBe('CANNOT_RECEIVE_SMS'); // premium rate
    expect(phoneRefusal('+2547001000011', KE)).toBe('NOT_A_VALID_NUMBER');
    expect(phoneRefusal('+999123456789', KE)).toBe('NOT_A_VALID_NUMBER');
  });

  it('configures the countries by ISO code, the bank’s own by default', () => {
    expect(loadConfig({}).MFA_ALLOWED_COUNTRIES).toEqual(['KE']);
    expect(loadConfig({ MFA_ALLOWED_COUNTRIES: 'KE, UG,TZ' }).MFA_ALLOWED_COUNTRIES).toEqual([
      'KE',
      'UG',
      'TZ',
    ]);
    expect(() => loadConfig({ MFA_ALLOWED_COUNTRIES: 'KE,XX' })).toThrow(/MFA_ALLOWED_COUNTRIES/);
    expect(() => loadConfig({ MFA_ALLOWED_COUNTRIES: 'kenya' })).toThrow(/MFA_ALLOWED_COUNTRIES/);
    expect(isKnownCountry('KE')).toBe(true);
    expect(isKnownCountry('XX')).toBe(false);
  });
});

describe('canonical numbers', () => {
  it('spells one number one way (E.164), a trunk prefix or spaces dropped', () => {
    for (const typed of ['+2540712200000', '+254 712 200 000', '+254-712-200000', '+254712200000'])
      expect(canonicalPhone(typed)).toBe('+254712200000');
    expect(canonicalPhone('not a number')).toBe('not a number');
    // Only the canonical spelling passes the rule: a caller that skipped canonicalPhone is refused.
    expect(phoneRefusal('+2540712200000', ['KE'])).toBe('NOT_A_VALID_NUMBER');
  });
});

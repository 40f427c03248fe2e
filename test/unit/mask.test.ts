import { maskEmail, maskPhone, maskPii, maskText } from '../../lib/mask';

describe('masking', () => {
  it('keeps the country code and last three digits of a phone', () => {
    expect(maskPhone('+254700100001')).toBe('+254••••••001');
    expect(maskPhone('+254700100001')).not.toContain('700100');
  });

  it('keeps the first letter and domain of an email', () => {
    expect(maskEmail('amina.wanjiru@example.com')).toBe('a••••••••••••@example.com');
  });

  it('masks contacts inside free text', () => {
    const out = maskText('sent to +254700100001 and amina@example.com');
    expect(out).not.toContain('700100001');
    expect(out).not.toContain('amina@');
  });

  it('drops secrets by key and masks nested PII', () => {
    const out = maskPii({
      otp: '123456',
      nested: { password: 'Secret123456', to: '+254700100001' },
      list: ['x@y.com'],
    });
    expect(JSON.stringify(out)).not.toMatch(/123456|Secret|700100001|x@y\.com/);
    expect(out).toMatchObject({ otp: '[redacted]', nested: { password: '[redacted]' } });
  });
});

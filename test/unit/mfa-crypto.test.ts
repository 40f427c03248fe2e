import { randomBytes } from 'node:crypto';
import {
  derivedOtp,
  destinationDigest,
  newSecurityKey,
  otpDigest,
  seal,
  securityKeyDigest,
  unseal,
} from '../../lib/mfa-crypto';

const key = randomBytes(32);

describe('MFA cryptography', () => {
  it('derives one code per send: the same on every retry, unrelated across sends and keys', () => {
    expect(derivedOtp(key, 'mfa-a.run1.otp.0', 6)).toBe(derivedOtp(key, 'mfa-a.run1.otp.0', 6));
    expect(derivedOtp(key, 'mfa-a.run1.otp.0', 6)).not.toBe(
      derivedOtp(randomBytes(32), 'mfa-a.run1.otp.0', 6),
    );
    const codes = Array.from({ length: 2000 }, (_, i) => derivedOtp(key, `mfa-${i}.run.otp.0`, 6));
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    // Uniform digits: each of the ten within a few percent of a tenth of 12 000.
    const counts = new Map<string, number>();
    for (const d of codes.join('')) counts.set(d, (counts.get(d) ?? 0) + 1);
    expect(counts.size).toBe(10);
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
    for (const n of counts.values()) expect(Math.abs(n - 1200)).toBeLessThan(150);
    expect(derivedOtp(key, 'x', 10)).toMatch(/^\d{10}$/);
    expect(() => derivedOtp(key, 'x', 3)).toThrow();
  });

  it('digests codes per challenge and keys per server key', () => {
    expect(otpDigest(key, 's1', '123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(otpDigest(key, 's1', '123456')).toBe(otpDigest(key, 's1', '123456'));
    expect(otpDigest(key, 's1', '123456')).not.toBe(otpDigest(key, 's2', '123456'));
    expect(otpDigest(key, 's1', '123456')).not.toBe(otpDigest(randomBytes(32), 's1', '123456'));
    const sk = newSecurityKey();
    expect(sk).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(securityKeyDigest(key, sk)).not.toContain(sk);
  });

  it('digests an email destination case-insensitively, a phone exactly', () => {
    expect(destinationDigest(key, 'Amina@Example.com')).toBe(destinationDigest(key, 'amina@example.com'));
    expect(destinationDigest(key, '+254700100001')).not.toBe(destinationDigest(key, '+254700100002'));
  });

  it('seals so that only the same key and challenge open it', () => {
    const sealed = seal(key, 'service-1', '042917');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('042917');
    expect(seal(key, 'service-1', '042917')).not.toBe(sealed);
    expect(unseal(key, 'service-1', sealed)).toBe('042917');
    expect(() => unseal(key, 'service-2', sealed)).toThrow();
    expect(() => unseal(randomBytes(32), 'service-1', sealed)).toThrow();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => unseal(key, 'service-1', tampered)).toThrow();
  });
});

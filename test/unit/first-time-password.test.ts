import { derivedFirstTimePassword, generateFirstTimePassword } from '../../activities/first-time-password';

describe('first-time password', () => {
  it('has at least 12 characters with letters and digits', () => {
    for (let i = 0; i < 500; i++) {
      const p = generateFirstTimePassword();
      expect(p.length).toBeGreaterThanOrEqual(12);
      expect(p).toMatch(/[A-Za-z].*[A-Za-z]/);
      expect(p).toMatch(/\d.*\d/);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });

  it('does not repeat', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateFirstTimePassword()));
    expect(seen.size).toBe(1000);
  });

  it('refuses short lengths', () => {
    expect(() => generateFirstTimePassword(8)).toThrow(/12/);
  });
});

describe('derived first-time password', () => {
  const key = Buffer.alloc(32, 7);

  it('is the same for the same onboarding and user, and another for any other', () => {
    const a = derivedFirstTimePassword(key, 'first-time-password:onboard-100001:IBU1');
    expect(derivedFirstTimePassword(key, 'first-time-password:onboard-100001:IBU1')).toBe(a);
    expect(derivedFirstTimePassword(key, 'first-time-password:onboard-100001:IBU2')).not.toBe(a);
    expect(derivedFirstTimePassword(Buffer.alloc(32, 8), 'first-time-password:onboard-100001:IBU1')).not.toBe(
      a,
    );
  });

  it('keeps the policy of the random ones and spreads over the alphabet', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = derivedFirstTimePassword(key, `ref-${i}`);
      expect(p).toHaveLength(14);
      expect(p).toMatch(/[A-Za-z].*[A-Za-z]/);
      expect(p).toMatch(/\d.*\d/);
      expect(p).not.toMatch(/[0O1lI]/);
      seen.add(p);
      for (const c of p) chars.add(c);
    }
    expect(seen.size).toBe(500);
    expect(chars.size).toBe(56);
  });
});

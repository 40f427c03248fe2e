import { generateFirstTimePassword } from '../../activities/first-time-password';

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

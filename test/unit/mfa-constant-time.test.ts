import { constantTimeEqual } from '../../rules/constant-time';

describe('constantTimeEqual', () => {
  const a = 'a'.repeat(64);

  it('is true only for identical strings', () => {
    expect(constantTimeEqual(a, 'a'.repeat(64))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual(a, `${'a'.repeat(63)}b`)).toBe(false);
    expect(constantTimeEqual(a, `b${'a'.repeat(63)}`)).toBe(false);
  });

  it('is false for different lengths, also when one is a prefix of the other', () => {
    expect(constantTimeEqual(a, a.slice(0, 63))).toBe(false);
    expect(constantTimeEqual(a.slice(0, 63), a)).toBe(false);
    expect(constantTimeEqual('', a)).toBe(false);
  });

  it('compares every character rather than stopping at the first difference', () => {
    // Counting charCodeAt calls shows the loop runs over the whole length either way.
    const calls = { early: 0, late: 0 };
    const spy = (s: string, key: keyof typeof calls) =>
      new Proxy(new String(s), {
        get(target, prop) {
          if (prop === 'charCodeAt') {
            return (i: number) => {
              calls[key]++;
              return target.charCodeAt(i);
            };
          }
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
        },
      }) as unknown as string;
    constantTimeEqual(spy(`b${'a'.repeat(63)}`, 'early'), a);
    constantTimeEqual(spy(`${'a'.repeat(63)}b`, 'late'), a);
    expect(calls.early).toBe(64);
    expect(calls.late).toBe(64);
  });
});

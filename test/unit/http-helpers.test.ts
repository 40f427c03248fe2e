import type { Request } from 'express';
import { requestDigest } from '../../api/http/idempotency';
import { waitBudgetMs } from '../../api/http/wait-budget';
import { canonicalJson } from '../../lib/canonical-json';

const req = (prefer?: string) =>
  ({ get: (h: string) => (h === 'prefer' ? prefer : undefined) }) as unknown as Request;

describe('Prefer: wait', () => {
  it('uses the default without the header', () => expect(waitBudgetMs(req(), 10_000, 30)).toBe(10_000));
  it('reads seconds', () => expect(waitBudgetMs(req('wait=3'), 10_000, 30)).toBe(3_000));
  it('caps it', () => expect(waitBudgetMs(req('respond-async, wait=900'), 10_000, 30)).toBe(30_000));
  it('accepts 0', () => expect(waitBudgetMs(req('wait=0'), 10_000, 30)).toBe(0));
});

describe('request digest', () => {
  const key = Buffer.alloc(32, 7);
  it('ignores key order and the requestId', () => {
    expect(requestDigest(key, { a: 1, b: { c: 2, d: 3 }, requestId: 'x' })).toBe(
      requestDigest(key, { b: { d: 3, c: 2 }, a: 1, requestId: 'y' }),
    );
  });
  it('changes with the body', () => {
    expect(requestDigest(key, { a: 1 })).not.toBe(requestDigest(key, { a: 2 }));
  });
  it('canonical JSON sorts nested keys', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }], a: null })).toBe('{"a":null,"b":[{"a":2,"z":1}]}');
  });
});

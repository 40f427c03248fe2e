import { hashAnswer, normaliseAnswer } from '../../lib/security-answers';
import { SCRYPT_HASH } from '../../simulator/schemas';
import { verifyPasswordHash } from '../../simulator/passwords';
import { statusTransition } from '../../rules/user-status';

describe('status transitions', () => {
  it.each([
    ['ACTIVE', 'LOCK', 'apply'],
    ['LOCKED', 'LOCK', 'unchanged'],
    ['DEACTIVATED', 'LOCK', 'refuse'],
    ['PENDING_AUTHORISATION', 'LOCK', 'refuse'],
    ['LOCKED', 'UNLOCK', 'apply'],
    ['ACTIVE', 'UNLOCK', 'unchanged'],
    ['DEACTIVATED', 'UNLOCK', 'refuse'],
    ['ACTIVE', 'CLOSE', 'apply'],
    ['LOCKED', 'CLOSE', 'apply'],
    ['PENDING_AUTHORISATION', 'CLOSE', 'apply'],
    ['DEACTIVATED', 'CLOSE', 'unchanged'],
    ['REJECTED', 'CLOSE', 'refuse'],
  ] as const)('%s + %s → %s', (from, action, kind) => {
    expect(statusTransition(from, action).kind).toBe(kind);
  });

  it('closes to DEACTIVATED: close deactivates, never deletes', () => {
    expect(statusTransition('ACTIVE', 'CLOSE')).toEqual({ kind: 'apply', to: 'DEACTIVATED' });
  });
});

describe('security answers', () => {
  it('normalises case, spacing and Unicode form', () => {
    expect(normaliseAnswer('  Kilimani\u00a0 PRIMARY\t')).toBe('kilimani primary');
    expect(normaliseAnswer('ｓｉｍｂａ')).toBe('simba');
  });

  it('hashes with a fresh salt each time, in the format the ESB accepts, verifiable after normalising', async () => {
    const [a, b] = await Promise.all([hashAnswer('Simba'), hashAnswer('Simba')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(SCRYPT_HASH);
    expect(a).not.toMatch(/simba/i);
    expect(await verifyPasswordHash(normaliseAnswer(' SIMBA '), a)).toBe(true);
    expect(await verifyPasswordHash(normaliseAnswer('Simba!'), a)).toBe(false);
  });

  it('the ESB schema refuses an answer in clear', () => {
    expect(SCRYPT_HASH.test('Simba the Dog')).toBe(false);
  });
});

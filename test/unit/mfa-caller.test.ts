import type { Principal } from '../../api/http/auth';
import { randomBytes } from 'node:crypto';
import { actsForAnyUser, callerRefusal, namesUnboundUser, noSoonerThan } from '../../api/mfa/caller';
import { preloginCallerDigest } from '../../clients/quota';
import { preloginLockKey, userLockWorkflowId } from '../../messages/mfa-user-lock';

const principal = (subject: string, ...scopes: string[]): Principal => ({
  subject,
  scopes: new Set(scopes),
  expiresAt: Date.now() + 60_000,
});
const code = (p: Principal, target: Parameters<typeof callerRefusal>[1]) => callerRefusal(p, target)?.code;

describe('who may act on which challenge', () => {
  const user = principal('IBU1', 'mfa:write');
  const channel = principal('channel', 'mfa:write', 'mfa:any-user');
  const prelogin = principal('app', 'mfa:prelogin');

  it('binds mfa:write to the token subject', () => {
    expect(code(user, { purpose: 'LOGIN', userId: 'IBU1' })).toBeUndefined();
    expect(code(user, { purpose: 'LOGIN', userId: 'IBU2' })).toBe('SUBJECT_MISMATCH');
    expect(code(user, { purpose: 'ONBOARDING', userId: 'IBU2' })).toBe('SUBJECT_MISMATCH');
    expect(code(channel, { purpose: 'UPDATE_PHONE', userId: 'IBU2' })).toBeUndefined();
  });

  it('opens challenges bound to no user with mfa:prelogin, or for a channel acting for any user', () => {
    expect(code(prelogin, { purpose: 'ONBOARDING' })).toBeUndefined();
    expect(code(prelogin, { purpose: 'ONBOARDING', userId: null })).toBeUndefined();
    expect(code(prelogin, { purpose: 'LOGIN', userId: 'app' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(prelogin, { purpose: 'UPDATE_PHONE', userId: 'IBU1' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(prelogin, { purpose: 'STEP_UP', userId: 'IBU1' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(principal('x', 'mfa:any-user'), { purpose: 'ONBOARDING' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(channel, { purpose: 'ONBOARDING' })).toBeUndefined();
    // A user's own token: its codes to typed numbers go through its user and its budget.
    expect(code(user, { purpose: 'ONBOARDING' })).toBe('SUBJECT_MISMATCH');
  });

  it('lets a pre-login app name a user for ONBOARDING, unbound to it (concealed)', () => {
    expect(code(prelogin, { purpose: 'ONBOARDING', userId: 'IBU1' })).toBeUndefined();
    expect(namesUnboundUser(prelogin, { purpose: 'ONBOARDING', userId: 'IBU1' })).toBe(true);
    expect(namesUnboundUser(prelogin, { purpose: 'ONBOARDING' })).toBe(false);
    // Bound: the user's own token, or a channel acting for any user.
    expect(namesUnboundUser(user, { purpose: 'LOGIN', userId: 'IBU1' })).toBe(false);
    expect(namesUnboundUser(channel, { purpose: 'LOGIN', userId: 'IBU2' })).toBe(false);
    // A user token that may also ask pre-login codes is unbound to another user.
    const both = principal('IBU1', 'mfa:write', 'mfa:prelogin');
    expect(code(both, { purpose: 'ONBOARDING', userId: 'IBU2' })).toBeUndefined();
    expect(namesUnboundUser(both, { purpose: 'ONBOARDING', userId: 'IBU2' })).toBe(true);
    expect(code(both, { purpose: 'LOGIN', userId: 'IBU2' })).toBe('SUBJECT_MISMATCH');
  });

  it('answers no sooner than the floor, with the result or the refusal', async () => {
    const t0 = Date.now();
    await expect(noSoonerThan(150, Promise.resolve('ok'))).resolves.toBe('ok');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    const t1 = Date.now();
    await expect(noSoonerThan(150, Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(Date.now() - t1).toBeGreaterThanOrEqual(145);
  });

  it("keys a concealed challenge's pre-login lock on its caller: subject and client network, as a digest", () => {
    const key = randomBytes(32);
    const app = { subject: 'mobile-app', network: '198.51.100.66' };
    const digest = preloginCallerDigest(key, app);
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(preloginCallerDigest(key, { ...app })).toBe(digest);
    // Another network of the same app, another subject, no network (no TRUST_PROXY), another key.
    const others = [
      preloginCallerDigest(key, { ...app, network: '203.0.113.10' }),
      preloginCallerDigest(key, { ...app, subject: 'other-app' }),
      preloginCallerDigest(key, { subject: 'mobile-app' }),
      preloginCallerDigest(randomBytes(32), app),
    ];
    expect(new Set([digest, ...others]).size).toBe(5);
    // The lock's id (in clear in Temporal) names the user and the digest, never the address.
    const id = userLockWorkflowId(preloginLockKey('IBU1', digest));
    expect(id).toBe(`mfa-user-IBU1|prelogin|${digest}`);
    expect(id).not.toContain('198.51.100');
    // A challenge started before callers had a digest keeps the user's single pre-login lock.
    expect(preloginLockKey('IBU1')).toBe('IBU1|prelogin');
  });

  it('skips the look-up only for a channel acting for any user', () => {
    expect(actsForAnyUser(channel)).toBe(true);
    expect(actsForAnyUser(user)).toBe(false);
    expect(actsForAnyUser(principal('x', 'mfa:any-user'))).toBe(false);
  });
});

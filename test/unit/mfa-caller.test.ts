import type { Principal } from '../../api/http/auth';
import { actsForAnyUser, callerRefusal } from '../../api/mfa/caller';

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

  it('opens only challenges bound to no user with mfa:prelogin', () => {
    expect(code(prelogin, { purpose: 'ONBOARDING' })).toBeUndefined();
    expect(code(prelogin, { purpose: 'ONBOARDING', userId: null })).toBeUndefined();
    expect(code(prelogin, { purpose: 'ONBOARDING', userId: 'IBU1' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(prelogin, { purpose: 'LOGIN', userId: 'app' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(principal('x', 'mfa:any-user'), { purpose: 'ONBOARDING' })).toBe('INSUFFICIENT_SCOPE');
    expect(code(user, { purpose: 'ONBOARDING' })).toBeUndefined();
  });

  it('skips the look-up only for a channel acting for any user', () => {
    expect(actsForAnyUser(channel)).toBe(true);
    expect(actsForAnyUser(user)).toBe(false);
    expect(actsForAnyUser(principal('x', 'mfa:any-user'))).toBe(false);
  });
});

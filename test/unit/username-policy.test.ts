import { generateUsername, usernameCandidates } from '../../activities/username-policy';
import { usernameProblem } from '../../rules/username';

describe('username policy', () => {
  it.each([
    ['amina.w', 'too short'],
    ['a'.repeat(21), 'too long'],
    ['12345678', 'all digits'],
    ['amina..wanjiru', 'repeated special'],
    ['amina_wanjiru_', 'trailing special'],
    ['9amina.wanjiru', 'starts with a digit'],
    ['amina wanjiru', 'space'],
  ])('refuses %s (%s)', (candidate) => {
    expect(usernameProblem(candidate, '100001')).not.toBeNull();
  });

  it('refuses the customer id even when otherwise valid', () => {
    expect(usernameProblem('cust1000012', 'CUST1000012')).toMatch(/customer id/);
  });

  it('accepts a well-formed name', () => {
    expect(usernameProblem('amina.wanjiru', '100001')).toBeNull();
  });

  it('generates valid, distinct usernames', () => {
    const names = new Set(Array.from({ length: 200 }, generateUsername));
    expect(names.size).toBe(200);
    for (const n of names) expect(usernameProblem(n, '100001')).toBeNull();
  });

  it('offers the preferred name first, lower-cased, and generated ones after', () => {
    const it1 = usernameCandidates('100001', 'Amina.Wanjiru');
    expect(it1.next().value).toBe('amina.wanjiru');
    expect(it1.next().value).toMatch(/^ib[a-z0-9]{8}$/);
    expect(usernameCandidates('100001', 'bad name').next().value).toMatch(/^ib/);
  });
});

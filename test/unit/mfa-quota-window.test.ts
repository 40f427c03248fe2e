import type { DestinationQuotaPolicy, QuotaSend } from '../../messages/mfa-quota';
import { DAY_MS, prune, quotaVerdict, sendCounts } from '../../workflows/mfa/quota-window';

const MIN = 60_000;
const policy: DestinationQuotaPolicy = { maxPerWindow: 5, windowMinutes: 10, maxPerDay: 50 };
const sendsAt = (...minutes: number[]): QuotaSend[] => minutes.map((m, i) => ({ at: m * MIN, ref: `r${i}` }));

describe('destination quota windows', () => {
  it('allows up to the window limit and refuses the next, until the oldest leaves the window', () => {
    const sends = sendsAt(0, 1, 2, 3, 4);
    expect(quotaVerdict(sendsAt(0, 1, 2, 3), 5 * MIN, policy)).toMatchObject({
      allowed: true,
      sendsInWindow: 4,
    });
    expect(quotaVerdict(sends, 5 * MIN, policy)).toEqual({
      allowed: false,
      limit: 'WINDOW',
      retryAfterSeconds: 300,
      sendsInWindow: 5,
      sendsToday: 5,
    });
    // A send counts until exactly its time + window.
    expect(quotaVerdict(sends, 10 * MIN - 1, policy)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(quotaVerdict(sends, 10 * MIN, policy)).toMatchObject({ allowed: true, sendsInWindow: 4 });
  });

  it('waits for as many sends to leave as are over the limit', () => {
    // Seven sends (the limit was lowered since): three must leave, the third-oldest at minute 2.
    expect(quotaVerdict(sendsAt(0, 1, 2, 3, 4, 5, 6), 7 * MIN, policy)).toMatchObject({
      allowed: false,
      retryAfterSeconds: (12 - 7) * 60,
    });
  });

  it('applies the daily cap over a rolling 24 hours and reports the later of two binding limits', () => {
    const day = { maxPerWindow: 5, windowMinutes: 10, maxPerDay: 7 };
    const sends = sendsAt(0, 1, 2, 3, 4, 20, 21);
    expect(quotaVerdict(sends, 30 * MIN, day)).toMatchObject({
      allowed: false,
      limit: 'DAY',
      retryAfterSeconds: (24 * 60 - 30) * 60,
      sendsInWindow: 1, // the send at minute 20 left the window at minute 30 exactly
      sendsToday: 7,
    });
    expect(quotaVerdict(sends, DAY_MS, day)).toMatchObject({ allowed: true, sendsToday: 6 });
    const both = sendsAt(0, 1, 2, 3, 4, 5, 6);
    expect(quotaVerdict(both, 7 * MIN, day)).toMatchObject({ limit: 'DAY' });
  });

  it('forgets sends older than a day and counts the rest', () => {
    const sends = [...sendsAt(0), { at: DAY_MS + MIN, ref: 'late' }];
    expect(prune(sends, DAY_MS + 2 * MIN)).toEqual([{ at: DAY_MS + MIN, ref: 'late' }]);
    expect(sendCounts(sends, DAY_MS + 2 * MIN, 10)).toEqual({ sendsInWindow: 1, sendsToday: 1 });
  });
});

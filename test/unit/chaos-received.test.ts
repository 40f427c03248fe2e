import { countReceived, type Delivery } from '../../scripts/chaos/receiver';

/** The chaos harness's count of what the receiving side got (scripts/chaos/receiver.ts). */
const sms = (to: string, text: string): Delivery => ({ kind: 'sms', at: 0, to, text });
const otp = (code: string, minutes = 10) =>
  `Demo Bank: ${code} is your verification code for signing up. It expires in ${minutes} minutes. Never share it.`;
const hook = (id: string, userId: string): Delivery => ({
  kind: 'webhook',
  at: 0,
  to: '/webhook/channel',
  text: '{}',
  id,
  type: 'ib_user.username_assigned',
  payload: { userId },
});

describe('countReceived', () => {
  it('counts one code delivered once as one logical message, nothing extra', () => {
    const r = countReceived([sms('+254101000001', otp('123456'))]);
    expect(r).toMatchObject({ sms: 1, logical: 1, duplicated: 0, redelivered: 0 });
  });

  it('sees the same code again (a later "expires in") as a redelivery, not a duplicate', () => {
    const r = countReceived([sms('+254101000001', otp('123456')), sms('+254101000001', otp('123456', 9))]);
    expect(r).toMatchObject({ logical: 1, duplicated: 0, redelivered: 1 });
  });

  it('sees two different codes to one phone as a duplicate', () => {
    const r = countReceived([sms('+254101000001', otp('123456')), sms('+254101000001', otp('654321'))]);
    expect(r).toMatchObject({ logical: 1, duplicated: 1 });
    expect(r.details[0]).toMatch(/^duplicate: 2 different sms/);
  });

  it('allows as many deliveries of a code as were asked for (a resend)', () => {
    const two = [sms('+254101000001', otp('123456')), sms('+254101000001', otp('123456'))];
    expect(countReceived(two, () => 2)).toMatchObject({ duplicated: 0, redelivered: 0 });
  });

  it('sees two webhook ids for one user as a duplicate, one id twice as a redelivery', () => {
    expect(countReceived([hook('a', 'IBU1'), hook('b', 'IBU1')])).toMatchObject({ duplicated: 1 });
    expect(countReceived([hook('a', 'IBU1'), hook('a', 'IBU1')])).toMatchObject({
      duplicated: 0,
      redelivered: 1,
    });
    expect(countReceived([hook('a', 'IBU1'), hook('b', 'IBU2')])).toMatchObject({
      logical: 2,
      duplicated: 0,
    });
  });

  it('tells first-time passwords apart by the password', () => {
    const ftp = (p: string) => `Demo Bank: your first-time password is ${p}. You will be asked to change it.`;
    const r = countReceived([
      sms('+254700000001', ftp('Abc23456789xyz')),
      sms('+254700000001', ftp('Zyx98765432abc')),
    ]);
    expect(r).toMatchObject({ logical: 1, duplicated: 1 });
  });
});

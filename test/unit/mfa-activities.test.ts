import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createMfaProofActivities, type MfaDeps } from '../../activities/mfa-proofs';
import type { Customer, IbUser } from '../../adapters/core-banking/types';
import { BusinessError } from '../../adapters/errors';
import type { EmailMessage } from '../../adapters/email/types';
import type { SmsMessage } from '../../adapters/sms/types';
import { destinationDigest, otpDigest, unseal } from '../../lib/mfa-crypto';

const serverKey = randomBytes(32);
const user = { userId: 'IBU1', customerId: 'C1', status: 'ACTIVE' } as IbUser;
const customer = {
  customerId: 'C1',
  mobilePhone: '+254700100001',
  email: 'amina.wanjiru@example.com',
} as Customer;

function setup(over: { user?: Partial<IbUser>; customer?: Partial<Customer>; smsRefuses?: boolean } = {}) {
  const sms: SmsMessage[] = [];
  const email: EmailMessage[] = [];
  const deps = {
    serverKey,
    bankName: 'Demo Bank',
    coreBanking: {
      getIbUser: async (userId: string) => {
        if (userId !== 'IBU1') throw new BusinessError('USER_NOT_FOUND', 'no such user');
        return { ...user, ...over.user };
      },
      getCustomer: async () => ({ ...customer, ...over.customer }),
    },
    sms: {
      provider: 'outbox',
      send: async (m: SmsMessage) => {
        if (over.smsRefuses) throw new BusinessError('SMS_REJECTED', 'blocked');
        sms.push(m);
        return { provider: 'outbox', providerMessageId: m.id };
      },
    },
    email: {
      provider: 'outbox',
      send: async (m: EmailMessage) => {
        email.push(m);
        return { provider: 'outbox', providerMessageId: m.id };
      },
    },
  } as unknown as MfaDeps;
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'mfa-svc', runId: 'run' }, attempt: 1 } as never,
    { logger: new DefaultLogger('ERROR') },
  );
  // Typed wrapper: MockActivityEnvironment.run infers results as unknown.
  const run = <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => env.run(fn, input) as Promise<R>;
  return { activities: createMfaProofActivities(deps), env: { run }, sms, email };
}

describe('MFA activities', () => {
  it('resolves registered contacts to masked forms, references and digests only', async () => {
    const { activities, env } = setup();
    const resolved = await env.run(activities.resolveChallengeDestinations, {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      userId: 'IBU1',
    });
    expect(resolved.phone).toEqual([
      {
        masked: '+254••••••001',
        referenceId: destinationDigest(serverKey, '+254700100001').slice(0, 16),
        digest: destinationDigest(serverKey, '+254700100001'),
      },
    ]);
    expect(resolved.email[0]?.masked).toBe('a••••••••••••@example.com');
    const text = JSON.stringify(resolved);
    expect(text).not.toContain('700100001');
    expect(text).not.toContain('amina.wanjiru');
    expect(JSON.parse(unseal(serverKey, 'svc', resolved.sealed))).toEqual({
      phone: '+254700100001',
      email: 'amina.wanjiru@example.com',
    });
  });

  it('refuses unknown, inactive and contact-less users', async () => {
    const cases: [Parameters<typeof setup>[0], string, string][] = [
      [{}, 'IBU404', 'USER_NOT_FOUND'],
      [{ user: { status: 'DEACTIVATED' } }, 'IBU1', 'USER_NOT_ACTIVE'],
      [{ customer: { mobilePhone: null, email: null } }, 'IBU1', 'NO_REGISTERED_CONTACT'],
    ];
    for (const [over, userId, type] of cases) {
      const { activities, env } = setup(over);
      await expect(
        env.run(activities.resolveChallengeDestinations, {
          serviceKey: 'svc',
          purpose: 'LOGIN' as const,
          userId,
        }),
      ).rejects.toMatchObject({ type, nonRetryable: true });
    }
  });

  it('sends one code to every destination and returns only its digest and sealed form', async () => {
    const { activities, env, sms, email } = setup();
    const { sealed } = await env.run(activities.resolveChallengeDestinations, {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      userId: 'IBU1',
    });
    const expiresAt = new Date(Date.now() + 300_000).toISOString();
    const sent = await env.run(activities.sendChallengeCode, {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      sealedDestinations: sealed,
      codeLength: 6,
      expiresAt,
    });
    expect(sms).toHaveLength(1);
    const code =
      /^Demo Bank: (\d{6}) is your verification code for signing in\. It expires in 5 minutes\. Never share it\.$/.exec(
        sms[0]?.body ?? '',
      )?.[1];
    expect(code).toBeDefined();
    expect(sms[0]).toMatchObject({ id: 'mfa-svc.run.otp.0.sms', to: '+254700100001' });
    expect(email[0]).toMatchObject({
      to: 'amina.wanjiru@example.com',
      subject: 'Demo Bank: your verification code',
    });
    expect(email[0]?.text).toContain(`${code} is your verification code`);
    expect(sent.codeDigest).toBe(otpDigest(serverKey, 'svc', code as string));
    expect(unseal(serverKey, 'svc', sent.sealedCode)).toBe(code);
    expect(JSON.stringify(sent)).not.toContain(code as string);
    expect(sent.deliveries.map((d) => d.channel)).toEqual(['SMS', 'EMAIL']);

    // A resend re-delivers that same code under its own message ids.
    await env.run(activities.resendChallengeCode, {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      sealedDestinations: sealed,
      sealedCode: sent.sealedCode,
      expiresAt,
      sendNumber: 1,
    });
    expect(sms[1]).toMatchObject({ id: 'mfa-svc.run.otp.1.sms' });
    expect(sms[1]?.body).toContain(`${code} is your verification code`);
  });

  it('succeeds when one destination refuses for good and another takes the code; fails when none does', async () => {
    const { activities, env, email } = setup({ smsRefuses: true });
    const { sealed } = await env.run(activities.resolveChallengeDestinations, {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      userId: 'IBU1',
    });
    const input = {
      serviceKey: 'svc',
      purpose: 'LOGIN' as const,
      sealedDestinations: sealed,
      codeLength: 6,
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
    };
    const sent = await env.run(activities.sendChallengeCode, input);
    expect(sent.deliveries.map((d) => d.channel)).toEqual(['EMAIL']);
    expect(email).toHaveLength(1);

    const phoneOnly = setup({ smsRefuses: true });
    const resolved = await phoneOnly.env.run(phoneOnly.activities.resolveChallengeDestinations, {
      serviceKey: 'svc',
      purpose: 'ONBOARDING' as const,
      phone: '+254700100009',
    });
    await expect(
      phoneOnly.env.run(phoneOnly.activities.sendChallengeCode, {
        ...input,
        sealedDestinations: resolved.sealed,
      }),
    ).rejects.toMatchObject({ type: 'OTP_DELIVERY_FAILED', nonRetryable: true });
  });
});

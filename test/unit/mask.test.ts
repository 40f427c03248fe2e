import { Writable } from 'node:stream';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { createLogger } from '../../lib/logger';
import { maskEmail, maskPhone, maskPii, maskText } from '../../lib/mask';

describe('masking', () => {
  it('keeps the country code and last three digits of a phone', () => {
    expect(maskPhone('+254700100001')).toBe('+254••••••001');
    expect(maskPhone('+254700100001')).not.toContain('700100');
  });

  it('keeps the first letter and domain of an email', () => {
    expect(maskEmail('amina.wanjiru@example.com')).toBe('a••••••••••••@example.com');
  });

  it('masks contacts inside free text', () => {
    const out = maskText('sent to +254700100001 and amina@example.com');
    expect(out).not.toContain('700100001');
    expect(out).not.toContain('amina@');
  });

  it('drops secrets by key and masks nested PII', () => {
    const out = maskPii({
      otp: '123456',
      nested: { password: 'Secret123456', to: '+254700100001' },
      list: ['x@y.com'],
    });
    expect(JSON.stringify(out)).not.toMatch(/123456|Secret|700100001|x@y\.com/);
    expect(out).toMatchObject({ otp: '[redacted]', nested: { password: '[redacted]' } });
  });
});

describe('error text in logs', () => {
  // What an ESB refusal looks like once it has crossed Temporal: the core-banking system's own words.
  const esbText = 'Customer JANE +254712345678 jane.doe@mail.example account 0123456789 is blocked';
  const esbFailure = () =>
    new ActivityFailure(
      'Activity task failed',
      'checkEligibility',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker-1',
      ApplicationFailure.create({
        type: 'CUSTOMER_BLOCKED',
        message: esbText,
        nonRetryable: true,
        details: [{ contact: '+254712345678' }],
      }),
    );

  const logged = (write: (l: ReturnType<typeof createLogger>) => void): string => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
    write(createLogger({ name: 'worker', destination: sink }));
    return lines.join('');
  };

  it.each([
    [
      'an API error handler (err)',
      (l: ReturnType<typeof createLogger>) => l.error({ err: esbFailure() }, 'unhandled error'),
    ],
    // installRuntime hands the SDK's meta over as is: { error } for failed activities and workflows.
    [
      'the SDK (error)',
      (l: ReturnType<typeof createLogger>) => l.warn({ sdk: true, error: esbFailure() }, 'Workflow failed'),
    ],
  ])('masks ESB text in the cause chain logged by %s', (_where, write) => {
    const out = logged(write);
    expect(out).toContain('is blocked'); // still useful to ops
    for (const secret of ['+254712345678', 'jane.doe@mail.example', '0123456789'])
      expect(out).not.toContain(secret);
  });

  it('redacts identity factors, postal address lines and client secrets whole', () => {
    const out = maskPii({
      identity: {
        socialSecurityNumber: '123456789',
        dateOfBirth: '1987-07-23',
        mothersMaidenName: 'Wanjiru',
        nationalIdLast4: '6789',
        postalAddress: { street: '12 Kenyatta Avenue', city: 'Nairobi' },
      },
      clientSecret: 'kc-secret',
      client_secret: 'kc-secret',
    });
    const text = JSON.stringify(out);
    for (const clear of ['123456789', '123', '1987', 'Wanjiru', '6789', 'Kenyatta', 'kc-secret'])
      expect(text).not.toContain(clear);
  });
});

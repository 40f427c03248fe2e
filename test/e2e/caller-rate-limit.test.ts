import { randomUUID } from 'node:crypto';
import { mintDevToken } from '../../lib/dev-keys';
import { call, startStack, type Stack } from '../helpers/stack';

const INFINITY = '/services/data/v1/RBObjects/operations/DbxUser';

/**
 * Calls no durable budget bounds (verify, resend, cancel, reads of challenges and processes:
 * a query on a closed run replays its history on a worker) have a ceiling per caller, shared
 * by the native and Infinity routes (issue #27, defect 11). API_CALLER_MAX_PER_MINUTE is 3.
 */
describe('per-caller ceiling on reads, verifies and resends', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ API_CALLER_MAX_PER_MINUTE: '3' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses the caller past its ceiling with 429 and Retry-After on every such route, and not another caller', async () => {
    const app = await mintDevToken(stack.config, {
      scopes: ['mfa:prelogin', 'processes:read'],
      subject: 'noisy-app',
    });
    const serviceKey = randomUUID();
    const answers = [
      await call(stack.apiUrl, 'GET', `/mfa/challenges/${serviceKey}`, { token: app }),
      await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
        token: app,
        body: { securityKey: 'k'.repeat(20), otp: '123456' },
      }),
      await call(stack.apiUrl, 'GET', `/processes/mfa-${serviceKey}`, { token: app }),
    ];
    expect(answers.map((a) => a.status)).not.toContain(429);
    const native = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/resend`, {
      token: app,
      body: { securityKey: 'k'.repeat(20) },
    });
    expect([native.status, native.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(native.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const infinity = await call(stack.apiUrl, 'POST', `${INFINITY}/verifyOTPPreLoginMB`, {
      token: app,
      body: { MFAAttributes: { serviceKey, OTP: { securityKey: 'k'.repeat(20), otp: '123456' } } },
    });
    expect(infinity.status).toBe(429);
    expect(infinity.body).toMatchObject({ dbpErrCode: '10578' });
    const reads = await call(stack.apiUrl, 'GET', `/processes/mfa-${serviceKey}`, { token: app });
    expect(reads.status).toBe(429);

    const other = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'quiet-app' });
    const quiet = await call(stack.apiUrl, 'GET', `/mfa/challenges/${serviceKey}`, { token: other });
    expect(quiet.status).toBe(404);
  });

  it('holds the ceiling on creates (native as the Infinity twin), registration verifies and contact-info reads too', async () => {
    const app = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'creating-app' });
    const creates = [];
    for (let i = 0; i < 4; i++)
      creates.push(
        await call(stack.apiUrl, 'POST', '/mfa/challenges', {
          token: app,
          body: { purpose: 'ONBOARDING', phone: `+25470090${String(i).padStart(4, '0')}` },
        }),
      );
    expect(creates.map((c) => c.status)).toEqual([201, 201, 201, 429]);
    expect(creates[3]?.body).toMatchObject({ code: 'RATE_LIMITED' });

    const registrar = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'registrar' });
    const verifies = [];
    for (let i = 0; i < 4; i++)
      verifies.push(
        await call(stack.apiUrl, 'POST', `/registrations/${randomUUID()}/verify`, {
          token: registrar,
          body: { securityKey: 'k'.repeat(20), otp: '123456' },
        }),
      );
    expect(verifies.map((v) => v.status)).toEqual([404, 404, 404, 429]);

    const reader = await mintDevToken(stack.config, {
      scopes: ['institution-users:read'],
      subject: 'reader',
    });
    const reads = [];
    for (let i = 0; i < 4; i++)
      reads.push(await call(stack.apiUrl, 'GET', '/customers/100001/contact-info', { token: reader }));
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 429]);
  });
});

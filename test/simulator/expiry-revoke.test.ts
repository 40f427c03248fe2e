import { MockActivityEnvironment } from '@temporalio/testing';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import type { CoreBankingClient } from '../../adapters/core-banking/types';
import { createCredentialActivities, type CredentialDeps } from '../../activities/credentials';
import type { CredentialDelivery } from '../../activities/types';
import type { SmsMessage } from '../../adapters/sms';
import { firstTimePasswordIssuance } from '../../messages/password-expiry';
import { createRequest, startSimulator, type RunningSimulator } from './sim-harness';

/**
 * The expiry's revoke against the simulator: it revokes the first-time password it expires,
 * never a newer one a reset set after the deadline (a reset racing the timer).
 */
let sim: RunningSimulator;
let client: CoreBankingClient;
let revoke: ReturnType<typeof createCredentialActivities>['revokeFirstTimePassword'];

beforeAll(async () => {
  sim = await startSimulator();
  client = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 2_000 });
  // Only core banking is used by this activity; the other clients are never reached.
  revoke = createCredentialActivities({
    coreBanking: client,
  } as unknown as CredentialDeps).revokeFirstTimePassword;
});
afterAll(async () => {
  await sim.close();
});

async function userWithPassword(
  password: string,
  issuedBy?: string,
): Promise<{ userId: string; setAt: string }> {
  const user = await client.createIbUser(createRequest(await sim.newCustomer()));
  await client.setPassword(
    user.userId,
    password,
    true,
    undefined,
    issuedBy === undefined ? undefined : { ifPasswordSetAt: null, issuedBy },
  );
  return { userId: user.userId, setAt: (await client.getIbUser(user.userId)).passwordSetAt! };
}

const run = (input: Parameters<typeof revoke>[0]) => new MockActivityEnvironment().run(revoke, input);

describe('revoking an expired first-time password', () => {
  it('revokes the password set before the deadline', async () => {
    const { userId, setAt } = await userWithPassword('first-time-pass-1');
    const deadline = new Date(Date.parse(setAt) + 1000).toISOString();
    expect(await run({ userId, ref: 'r1', setNotAfter: deadline })).toEqual({ revoked: true });
    expect(await sim.store.verifyPassword(userId, 'first-time-pass-1')).toBe(false);
  });

  it('keeps a password set after the deadline: a reset that raced the timer', async () => {
    const { userId, setAt } = await userWithPassword('new-first-pass-2');
    const deadline = new Date(Date.parse(setAt) - 1000).toISOString();
    expect(await run({ userId, ref: 'r-old', setNotAfter: deadline })).toEqual({ revoked: false });
    expect(await sim.store.verifyPassword(userId, 'new-first-pass-2')).toBe(true);
  });

  // The worker's clock is not core banking's: the deadline the workflow computed can fall on
  // either side of a passwordSetAt near it. Core banking's own record of the issuance decides.
  it("revokes the expiring issuance's password even when the worker's clock runs behind core banking's", async () => {
    const { userId, setAt } = await userWithPassword('first-time-pass-3', 'first-time-password:onb-3:u');
    const behind = new Date(Date.parse(setAt) - 5_000).toISOString();
    expect(
      await run({ userId, ref: 'r3', setNotAfter: behind, passwordIssuedBy: 'first-time-password:onb-3:u' }),
    ).toEqual({ revoked: true });
    expect(await sim.store.verifyPassword(userId, 'first-time-pass-3')).toBe(false);
  });

  it("keeps a reset's newer password even when the worker's clock runs ahead of core banking's", async () => {
    const { userId, setAt } = await userWithPassword('reset-first-pass-4', 'first-time-password:reset-4:u');
    const ahead = new Date(Date.parse(setAt) + 5_000).toISOString();
    expect(
      await run({
        userId,
        ref: 'r-onb',
        setNotAfter: ahead,
        passwordIssuedBy: 'first-time-password:onb-4:u',
      }),
    ).toEqual({ revoked: false });
    expect(await sim.store.verifyPassword(userId, 'reset-first-pass-4')).toBe(true);
  });
});

// passwordIssuedBy null: the field is there, but no issuance is recorded with the password
// in force (set without one). It says nothing about which issuance that is: by time, as absent.
describe('revoking when core banking records no issuance (passwordIssuedBy: null)', () => {
  it('revokes the password set before the deadline', async () => {
    const { userId, setAt } = await userWithPassword('first-time-pass-5');
    expect((await client.getIbUser(userId)).passwordIssuedBy).toBeNull();
    const deadline = new Date(Date.parse(setAt) + 1000).toISOString();
    expect(
      await run({
        userId,
        ref: 'r5',
        setNotAfter: deadline,
        passwordIssuedBy: 'first-time-password:onb-5:u',
      }),
    ).toEqual({ revoked: true });
    expect(await sim.store.verifyPassword(userId, 'first-time-pass-5')).toBe(false);
  });

  it('keeps a password set after the deadline', async () => {
    const { userId, setAt } = await userWithPassword('new-first-pass-6');
    const deadline = new Date(Date.parse(setAt) - 1000).toISOString();
    expect(
      await run({
        userId,
        ref: 'r6',
        setNotAfter: deadline,
        passwordIssuedBy: 'first-time-password:onb-6:u',
      }),
    ).toEqual({ revoked: false });
    expect(await sim.store.verifyPassword(userId, 'new-first-pass-6')).toBe(true);
  });
});

describe("a reset's first-time password records its issuance", () => {
  it('even when its lookup did not say which password it replaces (no passwordSetAt)', async () => {
    const sent: SmsMessage[] = [];
    const serverKey = Buffer.alloc(32, 7);
    const activities = createCredentialActivities({
      coreBanking: client,
      bankName: 'Test Bank',
      serverKey,
      sms: {
        provider: 'test',
        send: async (m: SmsMessage) => {
          sent.push(m);
          return { provider: 'test', providerMessageId: m.id };
        },
      },
    } as unknown as CredentialDeps);
    const { userId } = await userWithPassword('forgotten-pass-7');
    const { customerId } = await client.getIbUser(userId);
    const processId = 'reset-7';
    const { sealed } = await activities.sealFirstTimePassword({ processId, userId });
    const env = new MockActivityEnvironment();
    const delivery: CredentialDelivery = await env.run(activities.issueFirstTimePassword, {
      processId,
      customerId,
      userId,
      username: '',
      sealedPassword: sealed,
      messageRef: `${processId}.send`,
    });
    expect(delivery.status).toBe('SENT');
    expect(sent).toHaveLength(1);
    const issuance = firstTimePasswordIssuance(processId, userId);
    const user = await client.getIbUser(userId);
    expect(user.passwordIssuedBy).toBe(issuance);
    // So its expiry revokes it by issuance, whatever the worker's clock says.
    const behind = new Date(Date.parse(user.passwordSetAt!) - 5_000).toISOString();
    expect(await run({ userId, ref: processId, setNotAfter: behind, passwordIssuedBy: issuance })).toEqual({
      revoked: true,
    });
  });
});

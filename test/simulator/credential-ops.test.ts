import fs from 'node:fs';
import { createCoreBankingHttpClient } from '../../adapters/core-banking/http-client';
import type { CoreBankingClient } from '../../adapters/core-banking/types';
import { BusinessError } from '../../adapters/errors';
import { hashAnswer } from '../../lib/security-answers';
import { SimulatorStore } from '../../simulator/store';
import { createRequest, startSimulator, tempDataDir, type RunningSimulator } from './sim-harness';

/** lock / unlock / revokePassword / setSecurityAnswers: the HTTP client against the simulator. */
let sim: RunningSimulator;
let client: CoreBankingClient;

beforeAll(async () => {
  sim = await startSimulator();
  client = createCoreBankingHttpClient({ baseUrl: sim.baseUrl, timeoutMs: 2_000 });
});
afterAll(async () => {
  await sim.close();
});

async function activeUser(): Promise<string> {
  const user = await client.createIbUser(createRequest(await sim.newCustomer()));
  await client.setPassword(user.userId, 'first-time-pass-1', true);
  return user.userId;
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as BusinessError).code;
  }
  return 'OK';
};

describe('credential operations against the simulator', () => {
  it('locks and unlocks idempotently; a locked user gets no password; only ACTIVE ⇄ LOCKED', async () => {
    const userId = await activeUser();
    expect(await client.lockIbUser(userId, 'lost phone')).toMatchObject({
      status: 'LOCKED',
      lockReason: 'lost phone',
    });
    expect((await client.lockIbUser(userId, 'again')).lockReason).toBe('lost phone');
    expect(await code(client.setPassword(userId, 'another-pass-12', true))).toBe('INVALID_STATE');
    expect(await client.unlockIbUser(userId, 'found')).toMatchObject({ status: 'ACTIVE', lockReason: null });
    expect((await client.unlockIbUser(userId, 'again')).status).toBe('ACTIVE');
    await client.deactivateIbUser(userId, 'closed');
    expect(await code(client.lockIbUser(userId, 'x'))).toBe('INVALID_STATE');
    expect(await code(client.unlockIbUser(userId, 'x'))).toBe('INVALID_STATE');
    expect(await code(client.lockIbUser('IBU99999999', 'x'))).toBe('USER_NOT_FOUND');
  });

  it('sets a password conditionally: only over the one the caller saw, and records who issued it', async () => {
    const user = await client.createIbUser(createRequest(await sim.newCustomer()));
    const issuedBy = 'first-time-password:onboard-x:IBU1';
    // Over no password: applies, and core banking records the issuer with it.
    await client.setPassword(user.userId, 'first-time-pass-1', true, {}, { ifPasswordSetAt: null, issuedBy });
    const issued = await client.getIbUser(user.userId);
    expect(issued).toMatchObject({ passwordIssuedBy: issuedBy, mustChangePassword: true });
    // A retry of the same conditional write finds a password in force: refused, nothing changes.
    expect(
      await code(
        client.setPassword(user.userId, 'first-time-pass-1', true, {}, { ifPasswordSetAt: null, issuedBy }),
      ),
    ).toBe('PASSWORD_CHANGED');
    // The customer's own password (no condition, no issuer) replaces it and clears the issuer.
    await client.setPassword(user.userId, 'customers-own-pass', false);
    const own = await client.getIbUser(user.userId);
    expect(own).toMatchObject({ passwordIssuedBy: null, mustChangePassword: false });
    expect(Date.parse(own.passwordSetAt as string)).toBeGreaterThan(
      Date.parse(issued.passwordSetAt as string),
    );
    // A reset conditional on the password it saw before the customer's change is refused.
    const stale = { ifPasswordSetAt: issued.passwordSetAt, issuedBy: 'reset-x' };
    expect(await code(client.setPassword(user.userId, 'reset-pass-123', true, {}, stale))).toBe(
      'PASSWORD_CHANGED',
    );
    expect(await sim.store.verifyPassword(user.userId, 'customers-own-pass')).toBe(true);
    // Conditional on the password in force: applies.
    const current = { ifPasswordSetAt: own.passwordSetAt, issuedBy: 'reset-x' };
    await client.setPassword(user.userId, 'reset-pass-123', true, {}, current);
    expect(await sim.store.verifyPassword(user.userId, 'reset-pass-123')).toBe(true);
  });

  it('closes a locked user: deactivated, still there', async () => {
    const userId = await activeUser();
    await client.lockIbUser(userId, 'lost phone');
    expect(await client.deactivateIbUser(userId, 'closed')).toMatchObject({ userId, status: 'DEACTIVATED' });
    expect((await client.getIbUser(userId)).status).toBe('DEACTIVATED');
  });

  it('revokes a password: it stops working, passwordSetAt is cleared, a second revoke is a no-op', async () => {
    const userId = await activeUser();
    expect(await sim.store.verifyPassword(userId, 'first-time-pass-1')).toBe(true);
    await client.revokePassword(userId, 'expired');
    await client.revokePassword(userId, 'expired');
    expect(await sim.store.verifyPassword(userId, 'first-time-pass-1')).toBe(false);
    expect(await client.getIbUser(userId)).toMatchObject({ passwordSetAt: null, mustChangePassword: true });
  });

  it('stores salted answer hashes only, keeps the first write per businessKey, refuses answers in clear', async () => {
    const userId = await activeUser();
    const first = [{ questionId: 'FIRST_PET', answerHash: await hashAnswer('Simba') }];
    await client.setSecurityAnswers(userId, { businessKey: 'secq-1', questions: first });
    await client.setSecurityAnswers(userId, {
      businessKey: 'secq-1',
      questions: [{ questionId: 'FIRST_PET', answerHash: await hashAnswer('Simba') }],
    });
    expect(sim.store.getSecurityAnswers(userId)?.questions).toEqual(first);
    const check = await sim.call('POST', `/admin/ib-users/${userId}/verify-security-answer`, {
      questionId: 'FIRST_PET',
      answer: ' simba ',
    });
    expect(check.body.matches).toBe(true);
    expect(
      await code(
        client.setSecurityAnswers(userId, {
          businessKey: 'secq-2',
          questions: [{ questionId: 'FIRST_PET', answerHash: 'Simba' }],
        }),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(sim.store.getSecurityAnswers(userId)?.businessKey).toBe('secq-1');
  });

  it('keeps lock, revoke and answers across a restart (journal replay)', async () => {
    const dataDir = tempDataDir();
    const s = await startSimulator(dataDir);
    const c = createCoreBankingHttpClient({ baseUrl: s.baseUrl, timeoutMs: 2_000 });
    const user = await c.createIbUser(createRequest(await s.newCustomer()));
    await c.setPassword(user.userId, 'first-time-pass-1', true);
    await c.revokePassword(user.userId, 'expired');
    await c.setSecurityAnswers(user.userId, {
      businessKey: 'k',
      questions: [{ questionId: 'FIRST_PET', answerHash: await hashAnswer('Simba') }],
    });
    await c.lockIbUser(user.userId, 'lost phone');
    await s.close();
    const reopened = SimulatorStore.open(dataDir);
    expect(reopened.getIbUser(user.userId)).toMatchObject({ status: 'LOCKED', passwordSetAt: null });
    expect(await reopened.verifyPassword(user.userId, 'first-time-pass-1')).toBe(false);
    expect(reopened.getSecurityAnswers(user.userId)?.businessKey).toBe('k');
    await reopened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

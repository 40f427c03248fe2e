import fs from 'node:fs';
import { DEMO_CUSTOMERS } from '../../simulator/seed';
import path from 'node:path';
import { SimulatorStore } from '../../simulator/store';
import { createRequest, startSimulator, tempDataDir, type RunningSimulator } from './sim-harness';

/** The simulator over real HTTP: the ESB contract, admin routes, persistence and faults. */
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator();
});

afterEach(async () => {
  sim.faults.reset();
});

afterAll(async () => {
  await sim.close();
});

async function createUser(customerId: string, overrides: Record<string, unknown> = {}) {
  const req = createRequest(customerId, overrides);
  const res = await sim.call('POST', '/esb/v1/ib-users', req);
  return { req, res };
}

describe('seed data', () => {
  it('starts with every demo customer', async () => {
    expect(DEMO_CUSTOMERS.map((d) => d.customer.customerId)).toEqual([
      '100001',
      '100002',
      '100003',
      '100004',
      '100005',
    ]);
    for (const demo of DEMO_CUSTOMERS) {
      const res = await sim.call('GET', `/esb/v1/customers/${demo.customer.customerId}`);
      expect(res.status).toBe(200);
      // The ESB never hands out the identity data self-registration is matched on.
      const { dateOfBirth: _dob, nationalId: _nid, ...publicPart } = demo.customer;
      expect(res.body).toEqual(publicPart);
    }
  });

  it('covers each onboarding outcome', async () => {
    const amina = (await sim.call('GET', '/esb/v1/customers/100001')).body;
    expect(amina).toMatchObject({ firstName: 'Amina', lastName: 'Wanjiru', mobilePhone: '+254700100001' });
    expect(amina.email).toBe('amina.wanjiru@example.com');
    expect(amina.products).toEqual([expect.objectContaining({ type: 'SAVINGS', status: 'ACTIVE' })]);

    const brian = await sim.call('GET', '/esb/v1/ib-users?customerId=100002');
    expect(brian.body.items).toEqual([
      expect.objectContaining({ username: 'brian.otieno', status: 'ACTIVE' }),
    ]);

    expect((await sim.call('GET', '/esb/v1/customers/100003')).body.mobilePhone).toBeNull();
    expect((await sim.call('GET', '/esb/v1/customers/100004')).body.products).toEqual([]);
    expect((await sim.call('GET', '/esb/v1/customers/100005')).body).toMatchObject({
      firstName: 'Grace',
      lastName: 'Njeri',
      mobilePhone: '+254700100005',
      email: 'grace.njeri@example.com',
    });
  });

  it('seeds an empty store on open unless told not to', async () => {
    const [bare, seededDir] = [tempDataDir(), tempDataDir()];
    try {
      const empty = SimulatorStore.open(bare, { seed: false });
      expect(empty.isEmpty()).toBe(true);
      expect(empty.seeded).toBe(false);
      await empty.close();
      const seeded = SimulatorStore.open(seededDir);
      expect(seeded.seeded).toBe(true);
      expect(seeded.getCustomer('100005')?.firstName).toBe('Grace');
      expect(seeded.findIbUsers({ username: 'Brian.Otieno' })).toHaveLength(1);
      await seeded.close();
      // The seed was durable when open() returned.
      const reopened = SimulatorStore.open(seededDir);
      expect(reopened.seeded).toBe(false);
      expect(reopened.getCustomer('100001')?.firstName).toBe('Amina');
      await reopened.close();
    } finally {
      for (const dir of [bare, seededDir]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 CUSTOMER_NOT_FOUND for an unknown customer', async () => {
    const res = await sim.call('GET', '/esb/v1/customers/999999');
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('CUSTOMER_NOT_FOUND');
  });
});

describe('create IB user', () => {
  it('creates an ACTIVE user that must change its password', async () => {
    const customerId = await sim.newCustomer();
    const { req, res } = await createUser(customerId);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      customerId,
      username: req.username,
      channel: 'MB',
      businessKey: req.businessKey,
      status: 'ACTIVE',
      mustChangePassword: true,
      passwordSetAt: null,
    });
    expect(res.body.userId).toMatch(/^IBU\d{8}$/);
    const fetched = await sim.call('GET', `/esb/v1/ib-users/${res.body.userId}`);
    expect(fetched.body).toEqual(res.body);
  });

  it('supports check-then-create by businessKey', async () => {
    const customerId = await sim.newCustomer();
    const req = createRequest(customerId);
    const find = () => sim.call('GET', `/esb/v1/ib-users?businessKey=${encodeURIComponent(req.businessKey)}`);

    expect((await find()).body).toEqual({ items: [] });
    const created = await sim.call('POST', '/esb/v1/ib-users', req);
    expect(created.status).toBe(201);
    expect((await find()).body.items).toEqual([created.body]);

    const again = await sim.call('POST', '/esb/v1/ib-users', req);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ errorCode: 'DUPLICATE_BUSINESS_KEY', userId: created.body.userId });
  });

  it('rejects a username another user has, whatever its case', async () => {
    const customerId = await sim.newCustomer();
    const { res } = await createUser(customerId, { username: 'BRIAN.OTIENO' });
    expect(res.status).toBe(409);
    expect(res.body.errorCode).toBe('USERNAME_TAKEN');
  });

  it('rejects a customer that already has a live user', async () => {
    const { res } = await createUser('100002');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ errorCode: 'ALREADY_REGISTERED', userId: 'IBU00100002' });
  });

  it('rejects an unknown customer', async () => {
    const { res } = await createUser('424242');
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('CUSTOMER_NOT_FOUND');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(21)],
    ['bad characters', 'amina wanjiru'],
    ['all digits', '12345678'],
  ])('rejects a username that is %s', async (_why, username) => {
    const { res } = await createUser('100005', { username });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'username' })]);
  });

  it('rejects a username equal to the customer id', async () => {
    const customerId = await sim.newCustomer({ customerId: 'CUST12345' });
    const { res } = await createUser(customerId, { username: 'CUST12345' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'username' })]);
  });

  it('holds new users for the checker when pendingAuthorisation is on', async () => {
    await sim.setFaults({ pendingAuthorisation: true });
    const approveMe = await createUser(await sim.newCustomer());
    const rejectMe = await createUser(await sim.newCustomer());
    expect(approveMe.res.body.status).toBe('PENDING_AUTHORISATION');
    expect(rejectMe.res.body.status).toBe('PENDING_AUTHORISATION');

    // A pending user counts as live: the customer cannot get a second one.
    expect((await createUser(approveMe.req.customerId)).res.body.errorCode).toBe('ALREADY_REGISTERED');

    const approved = await sim.call('POST', `/admin/ib-users/${approveMe.res.body.userId}/authorise`, {
      decision: 'APPROVE',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('ACTIVE');
    const twice = await sim.call('POST', `/admin/ib-users/${approveMe.res.body.userId}/authorise`, {
      decision: 'APPROVE',
    });
    expect(twice.status).toBe(409);
    expect(twice.body.errorCode).toBe('INVALID_STATE');

    const rejected = await sim.call('POST', `/admin/ib-users/${rejectMe.res.body.userId}/authorise`, {
      decision: 'REJECT',
    });
    expect(rejected.body.status).toBe('REJECTED');
    const esbView = await sim.call('GET', `/esb/v1/ib-users/${rejectMe.res.body.userId}`);
    expect(esbView.body.status).toBe('REJECTED');
  });
});

describe('find IB users', () => {
  it('requires at least one filter', async () => {
    const res = await sim.call('GET', '/esb/v1/ib-users');
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
  });

  it('ANDs the filters', async () => {
    const both = await sim.call('GET', '/esb/v1/ib-users?customerId=100002&username=brian.otieno');
    expect(both.body.items).toHaveLength(1);
    const mismatch = await sim.call('GET', '/esb/v1/ib-users?customerId=100001&username=brian.otieno');
    expect(mismatch.body.items).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown user id', async () => {
    const res = await sim.call('GET', '/esb/v1/ib-users/IBU00000000');
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('USER_NOT_FOUND');
  });
});

describe('passwords', () => {
  const password = 'Tr1cky-Secret-Pass!42';

  /** Every file the simulator keeps, journal included, as one string. */
  const filesOf = (dataDir: string) => {
    const dir = path.join(dataDir, 'core-banking');
    return fs
      .readdirSync(dir)
      .map((name) => fs.readFileSync(path.join(dir, name), 'utf8'))
      .join('\n');
  };

  it('stores only a hash, in every file, and can verify it', async () => {
    // Its own simulator, so its files can be read before and after a close.
    const dataDir = tempDataDir();
    const own = await startSimulator(dataDir);
    try {
      await checkPasswordFlow(own);
      const files = filesOf(dataDir);
      expect(fs.readdirSync(path.join(dataDir, 'core-banking')).sort()).toEqual([
        'state.journal',
        'state.json',
      ]);
      expect(files).not.toContain(password);
      expect(files).toContain('scrypt$');
      await own.close();
      expect(fs.readdirSync(path.join(dataDir, 'core-banking'))).toEqual(['state.json']);
      expect(filesOf(dataDir)).not.toContain(password);
      expect(filesOf(dataDir)).toContain('scrypt$');
    } finally {
      await own.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function checkPasswordFlow(simulator: RunningSimulator) {
    const customerId = await simulator.newCustomer();
    const res = await simulator.call('POST', '/esb/v1/ib-users', createRequest(customerId));
    const userId: string = res.body.userId;

    const short = await simulator.call('PUT', `/esb/v1/ib-users/${userId}/password`, {
      password: 'short',
      mustChange: true,
    });
    expect(short.status).toBe(400);

    const set = await simulator.call('PUT', `/esb/v1/ib-users/${userId}/password`, {
      password,
      mustChange: true,
    });
    expect(set.status).toBe(204);
    const user = (await simulator.call('GET', `/esb/v1/ib-users/${userId}`)).body;
    expect(user.mustChangePassword).toBe(true);
    expect(Date.parse(user.passwordSetAt)).not.toBeNaN();

    const verify = (candidate: string) =>
      simulator.call('POST', `/admin/ib-users/${userId}/verify-password`, { password: candidate });
    expect((await verify(password)).body).toEqual({ matches: true });
    expect((await verify(password + 'x')).body).toEqual({ matches: false });
    expect((await verify('')).body).toEqual({ matches: false });
  }

  it('never lets a password change undo a deactivation made while it hashes', async () => {
    const { res } = await createUser(await sim.newCustomer());
    const userId: string = res.body.userId;
    const setting = sim.call('PUT', `/esb/v1/ib-users/${userId}/password`, { password, mustChange: true });
    await new Promise((r) => setTimeout(r, 5)); // most likely lands while the password is hashed
    const deactivated = await sim.call('POST', `/esb/v1/ib-users/${userId}/deactivate`, { reason: 'fraud' });
    expect(deactivated.status).toBe(200);
    expect([204, 409]).toContain((await setting).status);
    expect((await sim.call('GET', `/esb/v1/ib-users/${userId}`)).body.status).toBe('DEACTIVATED');
  });

  it('replaces the previous password', async () => {
    const { res } = await createUser(await sim.newCustomer());
    const userId: string = res.body.userId;
    await sim.call('PUT', `/esb/v1/ib-users/${userId}/password`, { password, mustChange: true });
    await sim.call('PUT', `/esb/v1/ib-users/${userId}/password`, {
      password: 'Another-Pass-123',
      mustChange: false,
    });
    const check = await sim.call('POST', `/admin/ib-users/${userId}/verify-password`, { password });
    expect(check.body.matches).toBe(false);
    expect((await sim.call('GET', `/esb/v1/ib-users/${userId}`)).body.mustChangePassword).toBe(false);
  });

  it('answers 404 for an unknown user', async () => {
    const res = await sim.call('PUT', '/esb/v1/ib-users/IBU00000000/password', {
      password,
      mustChange: true,
    });
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('USER_NOT_FOUND');
  });
});

describe('deactivate', () => {
  it('is idempotent and blocks further password changes', async () => {
    const customerId = await sim.newCustomer();
    const { res } = await createUser(customerId);
    const userId: string = res.body.userId;

    const first = await sim.call('POST', `/esb/v1/ib-users/${userId}/deactivate`, {
      reason: 'customer request',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'DEACTIVATED', deactivationReason: 'customer request' });
    const second = await sim.call('POST', `/esb/v1/ib-users/${userId}/deactivate`, { reason: 'again' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);

    const pw = await sim.call('PUT', `/esb/v1/ib-users/${userId}/password`, {
      password: 'Long-enough-pass-1',
      mustChange: true,
    });
    expect(pw.status).toBe(409);
    expect(pw.body.errorCode).toBe('INVALID_STATE');

    // A deactivated user is not live: the customer may register again.
    expect((await createUser(customerId)).res.status).toBe(201);
  });
});

describe('contact update', () => {
  it('applies a change once per businessKey', async () => {
    const customerId = await sim.newCustomer();
    const patch = (body: unknown) => sim.call('PATCH', `/esb/v1/customers/${customerId}/contact`, body);

    const first = await patch({ businessKey: `phone-${customerId}`, mobilePhone: '+254722333444' });
    expect(first.status).toBe(200);
    expect(first.body.mobilePhone).toBe('+254722333444');

    const replay = await patch({ businessKey: `phone-${customerId}`, mobilePhone: '+254799999999' });
    expect(replay.status).toBe(200);
    expect(replay.body.mobilePhone).toBe('+254722333444');

    const both = await patch({
      businessKey: `contact-${customerId}`,
      email: 'new.address@example.com',
      postalAddress: { line1: 'Kenyatta Ave 1', city: 'Nairobi', country: 'KE' },
    });
    expect(both.body).toMatchObject({ email: 'new.address@example.com', mobilePhone: '+254722333444' });
    expect(both.body.postalAddress).toEqual({ line1: 'Kenyatta Ave 1', city: 'Nairobi', country: 'KE' });

    const elsewhere = await sim.call('PATCH', '/esb/v1/customers/100005/contact', {
      businessKey: `phone-${customerId}`,
      email: 'x.y@example.com',
    });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.errorCode).toBe('DUPLICATE_BUSINESS_KEY');
  });

  it.each([
    ['a number that is not E.164', { mobilePhone: '0722333444' }],
    ['an invalid email', { email: 'not-an-email' }],
    ['no change at all', {}],
  ])('rejects %s', async (_why, change) => {
    const res = await sim.call('PATCH', '/esb/v1/customers/100005/contact', {
      businessKey: 'bad-1',
      ...change,
    });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
  });
});

describe('admin routes', () => {
  it('creates customers, mapping phone and product ids', async () => {
    const res = await sim.call('POST', '/admin/customers', {
      customerId: '777001',
      firstName: 'Juma',
      lastName: 'Mwangi',
      phone: '+254733000001',
      email: 'juma.mwangi@example.com',
      products: ['SAV-777001', { productId: 'LN-1', type: 'LOAN', status: 'DORMANT' }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      customerId: '777001',
      firstName: 'Juma',
      lastName: 'Mwangi',
      mobilePhone: '+254733000001',
      email: 'juma.mwangi@example.com',
      products: [
        { productId: 'SAV-777001', type: 'SAVINGS', status: 'ACTIVE' },
        { productId: 'LN-1', type: 'LOAN', status: 'DORMANT' },
      ],
      status: 'ACTIVE',
    });
    const dup = await sim.call('POST', '/admin/customers', {
      customerId: '777001',
      firstName: 'J',
      lastName: 'M',
      products: [],
    });
    expect(dup.status).toBe(409);
  });

  it('rejects unknown fields and invalid values with details', async () => {
    const res = await sim.call('POST', '/admin/customers', {
      customerId: '777002',
      firstName: 'A',
      lastName: 'B',
      phone: '0700',
      products: [],
      nickname: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['phone', '(root)']));
  });

  it('shows a customer with its IB users', async () => {
    const res = await sim.call('GET', '/admin/customers/100002');
    expect(res.body.customerId).toBe('100002');
    expect(res.body.ibUsers).toEqual([expect.objectContaining({ userId: 'IBU00100002' })]);
  });

  it('answers healthz', async () => {
    expect(await sim.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('rejects malformed and oversized bodies', async () => {
    const malformed = await sim.call('POST', '/admin/customers', '{"customerId":');
    expect(malformed).toMatchObject({ status: 400, body: { errorCode: 'VALIDATION_FAILED' } });
    const huge = await sim.call('POST', '/admin/customers', {
      customerId: '1',
      firstName: 'x'.repeat(17 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it('echoes X-Correlation-Id', async () => {
    const res = await sim.call('GET', '/healthz', undefined, { headers: { 'x-correlation-id': 'corr-123' } });
    expect(res.headers.get('x-correlation-id')).toBe('corr-123');
  });
});

describe('persistence', () => {
  it('keeps users, passwords and contact keys across a restart', async () => {
    const customerId = await sim.newCustomer();
    const { res } = await createUser(customerId);
    const userId: string = res.body.userId;
    await sim.call('PUT', `/esb/v1/ib-users/${userId}/password`, {
      password: 'Persisted-Pass-9',
      mustChange: true,
    });
    await sim.call('PATCH', `/esb/v1/customers/${customerId}/contact`, {
      businessKey: `k-${customerId}`,
      email: 'p@example.com',
    });

    // The running simulator was never closed: this is what a crash would leave.
    const reloaded = SimulatorStore.open(sim.dataDir);
    expect(reloaded.getIbUser(userId)).toEqual((await sim.call('GET', `/esb/v1/ib-users/${userId}`)).body);
    expect(await reloaded.verifyPassword(userId, 'Persisted-Pass-9')).toBe(true);
    expect(reloaded.contactUpdateTarget(`k-${customerId}`)).toBe(customerId);
    expect(reloaded.getCustomer('100001')?.firstName).toBe('Amina');
    await reloaded.close();

    // A second simulator process on the same DATA_DIR sees the same state over HTTP.
    const restarted = await startSimulator(sim.dataDir);
    try {
      expect((await restarted.call('GET', `/esb/v1/ib-users/${userId}`)).body.userId).toBe(userId);
      // Not seeded again over existing state.
      expect((await restarted.call('GET', '/esb/v1/ib-users?customerId=100002')).body.items).toHaveLength(1);
    } finally {
      await restarted.close();
    }
    expect(fs.readdirSync(`${sim.dataDir}/core-banking`)).toEqual(['state.json']); // no tmp file left
  });
});

describe('fault injection', () => {
  it('fails ESB calls at errorRate 1 but never admin or healthz', async () => {
    await sim.setFaults({ errorRate: 1 });
    const esb = await sim.call('GET', '/esb/v1/customers/100001');
    expect(esb.status).toBe(503);
    expect(esb.body.errorCode).toBe('SERVICE_UNAVAILABLE');
    expect((await sim.call('GET', '/healthz')).status).toBe(200);
    expect((await sim.call('GET', '/admin/customers/100001')).status).toBe(200);
    expect((await sim.call('GET', '/admin/faults')).body.errorRate).toBe(1);
  });

  it('injects a business error for one operation and counts it down', async () => {
    await sim.setFaults({
      businessError: { operation: 'getCustomer', errorCode: 'CUSTOMER_NOT_FOUND', remaining: 2 },
    });
    expect((await sim.call('GET', '/esb/v1/ib-users?customerId=100001')).status).toBe(200); // other operation
    const first = await sim.call('GET', '/esb/v1/customers/100001');
    expect(first).toMatchObject({ status: 404, body: { errorCode: 'CUSTOMER_NOT_FOUND' } });
    expect((await sim.call('GET', '/admin/faults')).body.businessError.remaining).toBe(1);
    expect((await sim.call('GET', '/esb/v1/customers/100001')).status).toBe(404);
    expect((await sim.call('GET', '/admin/faults')).body.businessError).toBeUndefined();
    expect((await sim.call('GET', '/esb/v1/customers/100001')).status).toBe(200);
  });

  it('validates fault updates and resets them', async () => {
    expect((await sim.call('PUT', '/admin/faults', { errorRate: 2 })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/faults', { latency: 5 })).status).toBe(400);
    expect(
      (await sim.call('PUT', '/admin/faults', { businessError: { operation: 'nope', errorCode: 'X_Y' } }))
        .status,
    ).toBe(400);
    await sim.setFaults({ latencyMs: 5, pendingAuthorisation: true });
    const reset = await sim.call('DELETE', '/admin/faults');
    expect(reset.body).toEqual({ latencyMs: 0, errorRate: 0, pendingAuthorisation: false, hang: false });
  });

  it('holds ESB requests while hung and lets them go when cleared', async () => {
    await sim.setFaults({ hang: true });
    await expect(
      fetch(`${sim.baseUrl}/esb/v1/customers/100001`, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect((await sim.call('GET', '/healthz')).status).toBe(200);

    const held = sim.call('GET', '/esb/v1/customers/100001');
    await new Promise((r) => setTimeout(r, 50));
    await sim.call('DELETE', '/admin/faults');
    expect((await held).status).toBe(200);
  });

  it('adds latency', async () => {
    await sim.setFaults({ latencyMs: 300 });
    const started = Date.now();
    expect((await sim.call('GET', '/esb/v1/customers/100001')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('identity match (self-registration)', () => {
  const typed = {
    firstName: 'Wairimu',
    lastName: 'Otieno',
    dateOfBirth: '1991-03-03',
    nationalId: '318406222',
    postalAddress: {
      street: '9 Moi Avenue',
      city: 'Nairobi',
      state: 'Nairobi',
      zipCode: '00200',
      country: 'KE',
    },
    mobilePhone: '+254700800001',
    email: 'wairimu.otieno@example.com',
    mothersMaidenName: 'Njoki',
  };

  beforeAll(async () => {
    await sim.call('POST', '/admin/customers', {
      customerId: '800001',
      firstName: 'Wairimu',
      lastName: 'Otieno',
      phone: '+254700800001',
      email: 'wairimu.otieno@example.com',
      products: ['SAV-800001'],
      dateOfBirth: '1991-03-03',
      nationalId: '318406222',
      mothersMaidenName: 'Njoki',
      postalAddress: { line1: '9 Moi Avenue', city: 'Nairobi', postalCode: '00200', country: 'KE' },
    });
  });
  const match = async (body: unknown) =>
    (await sim.call('POST', '/esb/v1/customers/identity-match', body)).body;

  it('matches on every factor given that the record holds, and on the last 4 as before', async () => {
    expect(await match(typed)).toEqual({ matched: true, customerId: '800001' });
    const { nationalId: _n, ...rest } = typed;
    expect(await match({ ...rest, nationalIdLast4: '6222' })).toEqual({
      matched: true,
      customerId: '800001',
    });
  });

  it('refuses when any factor given differs from the record, saying nothing of which', async () => {
    const no = { matched: false, customerId: null };
    expect(await match({ ...typed, nationalId: '318406223' })).toEqual(no);
    expect(await match({ ...typed, mothersMaidenName: 'Wambui' })).toEqual(no);
    expect(
      await match({ ...typed, postalAddress: { ...typed.postalAddress, street: '10 Moi Avenue' } }),
    ).toEqual(no);
    expect(await match({ ...typed, mobilePhone: '+254700800002' })).toEqual(no);
    expect(await match({ ...typed, email: 'other@example.com' })).toEqual(no);
  });

  it('does not compare a factor the record lacks (more factors on file, a stronger match)', async () => {
    // 100005 holds no maiden name nor address: those typed are not compared.
    expect(
      await match({
        firstName: 'Grace',
        lastName: 'Njeri',
        dateOfBirth: '1995-09-09',
        nationalIdLast4: '0005',
        mothersMaidenName: 'Anything',
        postalAddress: { street: 'x', city: 'y', country: 'KE' },
      }),
    ).toEqual({ matched: true, customerId: '100005' });
  });
});

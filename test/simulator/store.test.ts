import fs from 'node:fs';
import type { Customer, IbUser } from '../../adapters/core-banking/types';
import { ConfigError, loadConfig } from '../../config';
import { hashPassword, verifyPasswordHash } from '../../simulator/passwords';
import { journalFilePath, SimulatorStore, stateFilePath, type StoreOptions } from '../../simulator/store';
import { tempDataDir } from './sim-harness';

/**
 * The store's durability on its own: journal, group commit, replay after a crash,
 * compaction, and the scrypt cost. A "crash" is a store that is never closed, with a
 * new one opened on its folder.
 */
const FAST = { seed: false, scryptN: 1024 } satisfies StoreOptions;

let dirs: string[] = [];
let stores: SimulatorStore[] = [];

afterEach(async () => {
  // Crashed stores are closed only now, after every assertion, to release their files.
  await Promise.allSettled(stores.map((s) => s.close()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  [dirs, stores] = [[], []];
});

function newDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}

function open(dir: string, opts: StoreOptions = FAST): SimulatorStore {
  const store = SimulatorStore.open(dir, opts);
  stores.push(store);
  return store;
}

function customer(customerId: string, firstName = 'Test'): Customer {
  return {
    customerId,
    firstName,
    lastName: 'Store',
    mobilePhone: '+254700000000',
    email: null,
    products: [],
    status: 'ACTIVE',
  };
}

function ibUser(userId: string, customerId: string): IbUser {
  const at = '2025-01-01T00:00:00.000Z';
  return {
    userId,
    customerId,
    username: `user.${userId}`,
    channel: 'MB',
    status: 'ACTIVE',
    businessKey: `key-${userId}`,
    mustChangePassword: true,
    passwordSetAt: null,
    createdAt: at,
    updatedAt: at,
    deactivationReason: null,
  };
}

const journalLines = (dir: string) =>
  fs.existsSync(journalFilePath(dir))
    ? fs.readFileSync(journalFilePath(dir), 'utf8').split('\n').slice(0, -1)
    : [];

describe('journal', () => {
  it('keeps every acknowledged change through a crash, one line per write', async () => {
    const dir = newDir();
    const crashed = open(dir);
    await crashed.saveCustomer(customer('C1'));
    await crashed.saveIbUser(ibUser('U1', 'C1'));
    await crashed.savePassword('U1', 'Crash-Proof-Pass-1', (u) => ({ ...u, mustChangePassword: false }));
    await crashed.applyContactUpdate('k-1', { ...customer('C1'), email: 'c1@example.com' });

    const lines = journalLines(dir).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    // The password and the user it belongs to are one line: both land or neither.
    expect(lines[2].set.map((c: unknown[]) => c[0])).toEqual(['ibUsers', 'passwordHashes']);
    expect(lines[3].set.map((c: unknown[]) => c[0])).toEqual(['customers', 'appliedContactUpdates']);
    expect((fs.statSync(journalFilePath(dir)).mode & 0o777).toString(8)).toBe('600');

    const reopened = open(dir);
    expect(reopened.getCustomer('C1')?.email).toBe('c1@example.com');
    expect(reopened.getIbUser('U1')?.mustChangePassword).toBe(false);
    expect(await reopened.verifyPassword('U1', 'Crash-Proof-Pass-1')).toBe(true);
    expect(reopened.contactUpdateTarget('k-1')).toBe('C1');
    // Opening compacted: one snapshot, no journal.
    expect(fs.readdirSync(`${dir}/core-banking`)).toEqual(['state.json']);
  });

  it('ignores a torn last line and replays the lines before it', async () => {
    const dir = newDir();
    const crashed = open(dir);
    await crashed.saveCustomer(customer('C1'));
    await crashed.saveCustomer(customer('C2'));
    fs.appendFileSync(journalFilePath(dir), '{"seq":3,"set":[["customers","C3",{"customerId":"C3","fir');

    const reopened = open(dir);
    expect(reopened.getCustomer('C1')).toBeDefined();
    expect(reopened.getCustomer('C2')).toBeDefined();
    expect(reopened.getCustomer('C3')).toBeUndefined();
    expect(fs.existsSync(journalFilePath(dir))).toBe(false);

    // Numbering carries on past the replayed lines.
    await reopened.saveCustomer(customer('C4'));
    const again = open(dir);
    expect(['C1', 'C2', 'C4'].map((id) => again.getCustomer(id)?.customerId)).toEqual(['C1', 'C2', 'C4']);
  });

  it('refuses to start on a corrupt line before the last', async () => {
    const dir = newDir();
    const crashed = open(dir);
    await crashed.saveCustomer(customer('C1'));
    fs.appendFileSync(journalFilePath(dir), 'not json\n{"seq":3,"set":[]}\n');
    expect(() => SimulatorStore.open(dir, FAST)).toThrow(/state\.journal:2: corrupt journal line/);
  });

  it('refuses a line that parses but is not a record', async () => {
    const dir = newDir();
    fs.mkdirSync(`${dir}/core-banking`);
    fs.writeFileSync(journalFilePath(dir), '{"seq":1,"set":[["accounts","A1",{}]]}\n{"seq":2,"set":[]}\n');
    expect(() => SimulatorStore.open(dir, FAST)).toThrow(/state\.journal:1: not a journal record/);
  });

  it('skips lines a snapshot already holds (a crash between snapshot and journal removal)', async () => {
    const dir = newDir();
    const store = open(dir);
    await store.saveCustomer(customer('C1', 'Old'));
    await store.saveCustomer(customer('C1', 'New'));
    await store.close();
    // Put back a journal line older than the snapshot, as if its removal had not reached the disk.
    fs.writeFileSync(
      journalFilePath(dir),
      JSON.stringify({ seq: 1, set: [['customers', 'C1', customer('C1', 'Old')]] }) + '\n',
    );
    expect(open(dir).getCustomer('C1')?.firstName).toBe('New');
  });

  it('group-commits concurrent writes: all durable, fewer disk writes than changes', async () => {
    const dir = newDir();
    const crashed = open(dir);
    const ids = Array.from({ length: 50 }, (_, i) => `G${i}`);
    await Promise.all(ids.map((id) => crashed.saveCustomer(customer(id))));

    expect(crashed.stats.journalWrites).toBeGreaterThan(0);
    expect(crashed.stats.journalWrites).toBeLessThan(50);
    expect(journalLines(dir)).toHaveLength(50);
    const reopened = open(dir);
    expect(ids.filter((id) => !reopened.getCustomer(id))).toEqual([]);
  });

  it('durable() waits for changes not yet written', async () => {
    const dir = newDir();
    const crashed = open(dir);
    void crashed.saveCustomer(customer('D1'));
    expect(crashed.getCustomer('D1')).toBeDefined(); // visible at once
    expect(crashed.stats.journalWrites).toBe(0);
    await crashed.durable();
    expect(crashed.stats.journalWrites).toBe(1);
    expect(open(dir).getCustomer('D1')).toBeDefined();
  });

  it('compacts at runtime past the threshold and keeps every change', async () => {
    const dir = newDir();
    const crashed = open(dir, { ...FAST, compactAfter: 5 });
    for (let i = 0; i < 12; i++) await crashed.saveCustomer(customer(`R${i}`));
    expect(crashed.stats.compactions).toBe(2);
    expect(journalLines(dir)).toHaveLength(2);
    const snapshot = fs.readFileSync(stateFilePath(dir), 'utf8');
    expect(snapshot).not.toContain('\n'); // compact JSON: no indentation
    expect(JSON.parse(snapshot).customers.R9).toBeDefined();

    // Writes that arrive while it compacts wait for it, and are not lost.
    const more = [];
    for (let i = 0; i < 40; i++) {
      more.push(crashed.saveCustomer(customer(`M${i}`)));
      if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(more);
    // A compaction runs after the write that crossed the threshold resolved; the next write waits for it.
    await crashed.saveCustomer(customer('M40'));
    expect(crashed.stats.compactions).toBeGreaterThan(2);

    const reopened = open(dir);
    const all = [
      ...Array.from({ length: 12 }, (_, i) => `R${i}`),
      ...Array.from({ length: 41 }, (_, i) => `M${i}`),
    ];
    expect(all.filter((id) => !reopened.getCustomer(id))).toEqual([]);
  });

  it('leaves only state.json after close, and refuses writes afterwards', async () => {
    const dir = newDir();
    const store = open(dir);
    await store.saveCustomer(customer('C1'));
    expect(fs.readdirSync(`${dir}/core-banking`).sort()).toEqual(['state.journal', 'state.json']);
    await store.close();
    expect(fs.readdirSync(`${dir}/core-banking`)).toEqual(['state.json']);
    await expect(store.saveCustomer(customer('C2'))).rejects.toThrow(/closed/);
    expect(store.getCustomer('C2')).toBeUndefined();
    expect(open(dir).getCustomer('C1')).toBeDefined();
  });

  it('stops writing after a failed write, so nothing unknown is acknowledged', async () => {
    const dir = newDir();
    const store = open(dir);
    fs.mkdirSync(journalFilePath(dir)); // the journal cannot be opened: EISDIR
    await expect(store.saveCustomer(customer('C1'))).rejects.toThrow(/EISDIR/);
    await expect(store.durable()).rejects.toThrow(/EISDIR/);
    await expect(store.saveCustomer(customer('C2'))).rejects.toThrow(/EISDIR/);
    expect(store.getCustomer('C2')).toBeUndefined(); // refused before being applied
    await expect(store.close()).rejects.toThrow(/EISDIR/);
  });
});

describe('passwords', () => {
  it('reads the user after hashing, so a change made meanwhile is not overwritten', async () => {
    const store = open(newDir());
    await store.saveIbUser(ibUser('U1', 'C1'));
    const saving = store.savePassword('U1', 'Racing-Pass-123', (u) => ({ ...u, mustChangePassword: false }));
    await store.saveIbUser({ ...ibUser('U1', 'C1'), status: 'DEACTIVATED' }); // lands while it hashes
    expect((await saving).status).toBe('DEACTIVATED');
    expect(store.getIbUser('U1')).toMatchObject({ status: 'DEACTIVATED', mustChangePassword: false });
  });

  it('hashes with the configured scrypt cost and verifies any cost', async () => {
    const dir = newDir();
    const store = open(dir, { seed: false, scryptN: 2048 });
    await store.saveIbUser(ibUser('U1', 'C1'));
    await store.savePassword('U1', 'Cost-Of-Pass-1', (u) => u);
    expect(journalLines(dir).join('\n')).toContain('"scrypt$2048$8$1$');
    expect(await store.verifyPassword('U1', 'Cost-Of-Pass-1')).toBe(true);
    expect(await store.verifyPassword('U1', 'Cost-Of-Pass-2')).toBe(false);

    const other = await hashPassword('Other-Pass-1', 1024);
    expect(other).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPasswordHash('Other-Pass-1', other)).toBe(true);
    expect(await verifyPasswordHash('Other-Pass-1', other.replace('$1024$', '$4194304$'))).toBe(false);
    expect(await hashPassword('x')).toMatch(/^scrypt\$16384\$/); // the default is unchanged
  });

  it('refuses a bad scrypt cost in the store', () => {
    for (const scryptN of [1000, 512, 2 ** 21]) {
      expect(() => SimulatorStore.open(newDir(), { scryptN })).toThrow(RangeError);
    }
  });

  it('reads SIMULATOR_SCRYPT_N from the configuration and refuses bad values', () => {
    expect(loadConfig({}).SIMULATOR_SCRYPT_N).toBe(16384);
    expect(loadConfig({ SIMULATOR_SCRYPT_N: '1024' }).SIMULATOR_SCRYPT_N).toBe(1024);
    expect(loadConfig({ SIMULATOR_SCRYPT_N: '1048576' }).SIMULATOR_SCRYPT_N).toBe(1048576);
    for (const bad of ['1000', '512', '2097152', 'lots', '16384.5']) {
      expect(() => loadConfig({ SIMULATOR_SCRYPT_N: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ SIMULATOR_SCRYPT_N: '3000' })).toThrow(
      /SIMULATOR_SCRYPT_N: must be a power of two/,
    );
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Customer, IbUser } from '../adapters/core-banking/types';
import { seedIfEmpty } from './seed';

/**
 * The simulator's T24 state, kept in memory and written to
 * `<DATA_DIR>/core-banking/state.json` after every change, atomically, so a
 * simulator restart (or crash) never loses or half-writes a committed change.
 */
export interface SimulatorState {
  version: 1;
  customers: Record<string, Customer>;
  ibUsers: Record<string, IbUser>;
  /** userId → scrypt hash. Never the password itself. */
  passwordHashes: Record<string, string>;
  /** Contact-update businessKey → the customerId it was applied to (replays are no-ops). */
  appliedContactUpdates: Record<string, string>;
}

export interface IbUserFilter {
  customerId?: string;
  businessKey?: string;
  username?: string;
}

export function stateFilePath(dataDir: string): string {
  return path.join(dataDir, 'core-banking', 'state.json');
}

export class SimulatorStore {
  private constructor(
    readonly file: string,
    private state: SimulatorState,
  ) {}

  /**
   * Loads `<dataDir>/core-banking/state.json`. An empty store gets the demo customers
   * (simulator/seed.ts) unless `seed: false`.
   */
  static open(dataDir: string, opts: { seed?: boolean } = {}): SimulatorStore {
    const file = stateFilePath(dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const store = new SimulatorStore(file, readState(file));
    if (opts.seed ?? true) seedIfEmpty(store);
    return store;
  }

  isEmpty(): boolean {
    return Object.keys(this.state.customers).length === 0 && Object.keys(this.state.ibUsers).length === 0;
  }

  getCustomer(customerId: string): Customer | undefined {
    return copy(this.state.customers[customerId]);
  }

  saveCustomer(customer: Customer): void {
    this.state.customers[customer.customerId] = copy(customer);
    this.persist();
  }

  getIbUser(userId: string): IbUser | undefined {
    return copy(this.state.ibUsers[userId]);
  }

  /** Users matching every given filter; usernames compare case-insensitively, as in T24. */
  findIbUsers(filter: IbUserFilter): IbUser[] {
    const username = filter.username?.toLowerCase();
    return Object.values(this.state.ibUsers)
      .filter(
        (u) =>
          (filter.customerId === undefined || u.customerId === filter.customerId) &&
          (filter.businessKey === undefined || u.businessKey === filter.businessKey) &&
          (username === undefined || u.username.toLowerCase() === username),
      )
      .map((u) => copy(u));
  }

  saveIbUser(user: IbUser): void {
    this.state.ibUsers[user.userId] = copy(user);
    this.persist();
  }

  /** Stores a fresh scrypt hash of the password together with the updated user, in one write. */
  savePassword(user: IbUser, password: string): void {
    this.state.passwordHashes[user.userId] = hashPassword(password);
    this.state.ibUsers[user.userId] = copy(user);
    this.persist();
  }

  verifyPassword(userId: string, password: string): boolean {
    const stored = this.state.passwordHashes[userId];
    return stored !== undefined && verifyPasswordHash(password, stored);
  }

  /** The customer a contact-update key was applied to, if it was. */
  contactUpdateTarget(businessKey: string): string | undefined {
    return this.state.appliedContactUpdates[businessKey];
  }

  /** Saves the changed customer and remembers the key, in one write. */
  applyContactUpdate(businessKey: string, customer: Customer): void {
    this.state.customers[customer.customerId] = copy(customer);
    this.state.appliedContactUpdates[businessKey] = customer.customerId;
    this.persist();
  }

  /** Writes the current state (changes are already written as they happen; this is for shutdown). */
  flush(): void {
    this.persist();
  }

  private persist(): void {
    writeFileAtomic(this.file, JSON.stringify(this.state, null, 2) + '\n');
  }
}

function emptyState(): SimulatorState {
  return { version: 1, customers: {}, ibUsers: {}, passwordHashes: {}, appliedContactUpdates: {} };
}

function readState(file: string): SimulatorState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
  // A corrupt file stops the simulator instead of silently starting over with no users.
  const parsed = JSON.parse(text) as Partial<SimulatorState>;
  if (parsed.version !== 1) throw new Error(`${file}: unsupported state version ${String(parsed.version)}`);
  return { ...emptyState(), ...parsed };
}

/** tmp file + fsync + rename (+ fsync of the folder): readers see the old or the new file, never half of one. */
function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

/** `scrypt$N$r$p$<salt b64>$<hash b64>` with a random 16-byte salt. */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const hash = crypto.scryptSync(password, salt, keyLength, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function verifyPasswordHash(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = crypto.scryptSync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

function copy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

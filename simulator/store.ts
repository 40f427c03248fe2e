import fs from 'node:fs';
import path from 'node:path';
import type { Customer, DisclosureAcceptanceRecord, IbUser } from '../adapters/core-banking/types';
import { writeFileAtomicSync } from './files';
import { Journal, readJournalSync, type JournalStats } from './journal';
import { DEFAULT_SCRYPT_N, hashPassword, isValidScryptN, verifyPasswordHash } from './passwords';
import { seedIfEmpty } from './seed';

/**
 * The simulator's T24 state, kept in memory. Each change is one line in
 * `<DATA_DIR>/core-banking/state.journal` (simulator/journal.ts), and a write
 * resolves only once its line is on disk, so a restart or a crash never loses an
 * acknowledged change. `state.json` is the snapshot the journal is replayed on.
 */
/**
 * A T24 customer record as the simulator keeps it: with the identity data self-registration
 * is matched against (never returned by the ESB's getCustomer).
 */
export type SimCustomer = Customer & {
  dateOfBirth?: string | null;
  nationalId?: string | null;
  /** A self-registration identity factor the bank may hold. */
  mothersMaidenName?: string | null;
};

export interface SimulatorState {
  version: 1;
  /** Sequence number of the last change this state includes; replay skips older journal lines. */
  seq: number;
  customers: Record<string, SimCustomer>;
  ibUsers: Record<string, IbUser>;
  /** userId → scrypt hash. Never the password itself. */
  passwordHashes: Record<string, string>;
  /** Contact-update businessKey → the customerId it was applied to (replays are no-ops). */
  appliedContactUpdates: Record<string, string>;
  /** Disclosure-acceptance evidence by its businessKey (replays record nothing twice). */
  disclosureAcceptances: Record<string, DisclosureAcceptanceRecord>;
  /** userId → its security answers as the caller hashed them (salted scrypt), never the answers. */
  securityAnswers: Record<string, StoredSecurityAnswers>;
}

export interface StoredSecurityAnswers {
  businessKey: string;
  questions: { questionId: string; answerHash: string }[];
  updatedAt: string;
}

/** Stands in for a password hash once the password is revoked: no password verifies against it. */
export const REVOKED_PASSWORD = 'revoked';

/** "Set this key of this collection to this value": replaying one twice is harmless. */
type Change =
  | ['customers', string, Customer]
  | ['ibUsers', string, IbUser]
  | ['passwordHashes', string, string]
  | ['appliedContactUpdates', string, string]
  | ['disclosureAcceptances', string, DisclosureAcceptanceRecord]
  | ['securityAnswers', string, StoredSecurityAnswers];

/** One journal line: every change of one logical write, so they land together or not at all. */
interface JournalRecord {
  seq: number;
  set: Change[];
}

const COLLECTIONS: readonly string[] = [
  'customers',
  'ibUsers',
  'passwordHashes',
  'appliedContactUpdates',
  'disclosureAcceptances',
  'securityAnswers',
];

export interface StoreOptions {
  /** Seed the demo customers into an empty store (default true). */
  seed?: boolean;
  /** scrypt cost for new password hashes (SIMULATOR_SCRYPT_N). */
  scryptN?: number;
  /** Compact the journal into state.json once it holds this many lines. */
  compactAfter?: number;
}

export interface IbUserFilter {
  customerId?: string;
  businessKey?: string;
  username?: string;
}

const DEFAULT_COMPACT_AFTER = 10_000;

export function stateFilePath(dataDir: string): string {
  return path.join(dataDir, 'core-banking', 'state.json');
}

export function journalFilePath(dataDir: string): string {
  return path.join(dataDir, 'core-banking', 'state.journal');
}

export class SimulatorStore {
  private readonly journal: Journal;

  private constructor(
    readonly file: string,
    readonly journalFile: string,
    private readonly state: SimulatorState,
    private readonly opts: { scryptN: number; compactAfter: number },
    /** True when open() wrote the demo customers into an empty store. */
    readonly seeded: boolean,
  ) {
    this.journal = new Journal({
      file: journalFile,
      snapshotFile: file,
      compactAfter: opts.compactAfter,
      snapshot: () => JSON.stringify(this.state),
    });
  }

  /**
   * Loads `state.json`, replays the journal on it, seeds an empty store with the demo
   * customers (simulator/seed.ts) unless `seed: false`, and leaves one fresh snapshot
   * and no journal behind. Blocking: it runs once, before the simulator listens.
   */
  static open(dataDir: string, opts: StoreOptions = {}): SimulatorStore {
    const scryptN = opts.scryptN ?? DEFAULT_SCRYPT_N;
    if (!isValidScryptN(scryptN)) throw new RangeError(`scryptN ${scryptN}: not a power of two in range`);
    const file = stateFilePath(dataDir);
    const journalFile = journalFilePath(dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const state = readState(file);
    replay(state, journalFile);
    const seeded = (opts.seed ?? true) && seedIfEmpty(state);
    // Snapshot first, then drop the journal (and any torn line at its end with it).
    writeFileAtomicSync(file, JSON.stringify(state));
    fs.rmSync(journalFile, { force: true });
    const compactAfter = opts.compactAfter ?? DEFAULT_COMPACT_AFTER;
    return new SimulatorStore(file, journalFile, state, { scryptN, compactAfter }, seeded);
  }

  get stats(): JournalStats {
    return this.journal.stats;
  }

  isEmpty(): boolean {
    return Object.keys(this.state.customers).length === 0 && Object.keys(this.state.ibUsers).length === 0;
  }

  getCustomer(customerId: string): SimCustomer | undefined {
    return copy(this.state.customers[customerId]);
  }

  /** Every customer whose record matches: the caller decides what a match means. */
  findCustomers(match: (c: SimCustomer) => boolean): SimCustomer[] {
    return Object.values(this.state.customers)
      .filter(match)
      .map((c) => copy(c));
  }

  disclosureAcceptance(businessKey: string): DisclosureAcceptanceRecord | undefined {
    return copy(this.state.disclosureAcceptances[businessKey]);
  }

  disclosureAcceptancesOf(customerId: string): DisclosureAcceptanceRecord[] {
    return Object.values(this.state.disclosureAcceptances)
      .filter((a) => a.customerId === customerId)
      .map((a) => copy(a));
  }

  saveDisclosureAcceptance(record: DisclosureAcceptanceRecord): Promise<void> {
    return this.record([['disclosureAcceptances', record.businessKey, record]]);
  }

  saveCustomer(customer: SimCustomer): Promise<void> {
    return this.record([['customers', customer.customerId, customer]]);
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

  saveIbUser(user: IbUser): Promise<void> {
    return this.record([['ibUsers', user.userId, user]]);
  }

  /**
   * Hashes the password off the event loop, then saves the hash with `change(user)` in
   * one journal line. The user is read after hashing, because another request may
   * have changed it meanwhile; `change` may throw to refuse (nothing is saved then).
   */
  async savePassword(userId: string, password: string, change: (user: IbUser) => IbUser): Promise<IbUser> {
    const hash = await hashPassword(password, this.opts.scryptN);
    const current = this.getIbUser(userId);
    if (!current) throw new Error(`IB user ${userId} does not exist`);
    const user = change(current);
    await this.record([
      ['ibUsers', userId, user],
      ['passwordHashes', userId, hash],
    ]);
    return user;
  }

  async verifyPassword(userId: string, password: string): Promise<boolean> {
    const stored = this.state.passwordHashes[userId];
    return stored !== undefined && (await verifyPasswordHash(password, stored));
  }

  /** The password stops working: the user and the revoked hash land in one journal line. */
  revokePassword(user: IbUser): Promise<void> {
    return this.record([
      ['ibUsers', user.userId, user],
      ['passwordHashes', user.userId, REVOKED_PASSWORD],
    ]);
  }

  getSecurityAnswers(userId: string): StoredSecurityAnswers | undefined {
    return copy(this.state.securityAnswers[userId]);
  }

  saveSecurityAnswers(userId: string, answers: StoredSecurityAnswers): Promise<void> {
    return this.record([['securityAnswers', userId, answers]]);
  }

  /** The customer a contact-update key was applied to, if it was. */
  contactUpdateTarget(businessKey: string): string | undefined {
    return this.state.appliedContactUpdates[businessKey];
  }

  /** Saves the changed customer and remembers the key, in one journal line. */
  applyContactUpdate(businessKey: string, customer: Customer): Promise<void> {
    return this.record([
      ['customers', customer.customerId, customer],
      ['appliedContactUpdates', businessKey, customer.customerId],
    ]);
  }

  /**
   * Resolves once every change made so far is on disk. Reads see a change as soon as
   * it is made; an answer built from them waits for this, so no caller acts on a
   * change that a crash could still undo.
   */
  durable(): Promise<void> {
    return this.journal.settled();
  }

  /** Waits for pending writes and compacts: afterwards the folder holds only state.json. */
  close(): Promise<void> {
    return this.journal.close();
  }

  /** Applies the change in memory now (reads see it) and resolves once its journal line is durable. */
  private record(changes: Change[]): Promise<void> {
    const refused = this.journal.refusal();
    if (refused) return Promise.reject(refused);
    const entry: JournalRecord = { seq: this.state.seq + 1, set: changes };
    applyRecord(this.state, entry);
    return this.journal.append(JSON.stringify(entry) + '\n');
  }
}

function emptyState(): SimulatorState {
  return {
    version: 1,
    seq: 0,
    customers: {},
    ibUsers: {},
    passwordHashes: {},
    appliedContactUpdates: {},
    disclosureAcceptances: {},
    securityAnswers: {},
  };
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

/** Applies the journal's records that the snapshot does not already hold. */
function replay(state: SimulatorState, journalFile: string): void {
  readJournalSync(journalFile).forEach((value, i) => {
    const entry = toRecord(value, `${journalFile}:${i + 1}`);
    // Older lines survive a crash between writing a snapshot and removing the journal.
    if (entry.seq > state.seq) applyRecord(state, entry);
  });
}

function applyRecord(state: SimulatorState, entry: JournalRecord): void {
  for (const [collection, key, value] of entry.set) {
    (state[collection] as Record<string, unknown>)[key] = copy(value);
  }
  state.seq = entry.seq;
}

function toRecord(value: unknown, where: string): JournalRecord {
  const entry = value as Partial<JournalRecord> | null;
  const valid =
    typeof entry === 'object' &&
    entry !== null &&
    Number.isSafeInteger(entry.seq) &&
    Array.isArray(entry.set) &&
    entry.set.every(isChange);
  if (!valid) throw new Error(`${where}: not a journal record`);
  return entry as JournalRecord;
}

function isChange(change: unknown): boolean {
  return (
    Array.isArray(change) &&
    change.length === 3 &&
    COLLECTIONS.includes(change[0] as string) &&
    typeof change[1] === 'string'
  );
}

function copy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

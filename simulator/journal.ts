import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileAtomic } from './files';

/**
 * An append-only file of JSON lines with group commit: at most one write
 * (+ fdatasync) is in flight, and every line appended meanwhile goes out together
 * in the next one, so N concurrent changes cost far fewer than N disk flushes.
 * Past `compactAfter` lines it writes a fresh snapshot and starts over, between
 * two writes (appends made meanwhile wait for the next write).
 */
export interface JournalOptions {
  file: string;
  /** Where compaction writes `snapshot()`. */
  snapshotFile: string;
  /** Compact once the journal holds at least this many lines. */
  compactAfter: number;
  /** The whole state as it is now; taken when a compaction starts. */
  snapshot: () => string;
}

export interface JournalStats {
  /** Write + fdatasync rounds; with group commit, fewer than the lines they carry. */
  journalWrites: number;
  compactions: number;
}

interface Batch {
  lines: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Journal {
  /** Lines appended since the current write started; they go out in the next one. */
  private pending: Batch | undefined;
  private inFlight: Batch | undefined;
  private draining: Promise<void> | undefined;
  private handle: fs.promises.FileHandle | undefined;
  private lineCount = 0;
  /** After a failed write or fsync nothing more is written: what reached the disk is unknown. */
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;
  private readonly counters: JournalStats = { journalWrites: 0, compactions: 0 };

  constructor(private readonly opts: JournalOptions) {}

  get stats(): JournalStats {
    return { ...this.counters };
  }

  /** Why an append would be refused now (an earlier failure, or close()), if it would. */
  refusal(): Error | undefined {
    if (this.failure) return this.failure;
    if (this.closed) return new Error(`${this.opts.file}: journal is closed`);
    return undefined;
  }

  /** Queues one line (ending in "\n"); resolves once it is written and fdatasync'd. */
  append(line: string): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const batch = (this.pending ??= newBatch());
    batch.lines.push(line);
    this.draining ??= this.drain();
    return batch.done;
  }

  /** Resolves once every line appended so far is durable. */
  settled(): Promise<void> {
    const last = this.pending ?? this.inFlight;
    if (last) return last.done;
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }

  /** Waits for queued lines, then compacts: the snapshot holds everything and the journal is gone. */
  close(): Promise<void> {
    this.closed ??= this.finish();
    return this.closed;
  }

  private async finish(): Promise<void> {
    await this.draining;
    if (!this.failure) return this.compact();
    await this.handle?.close().catch(() => undefined);
    throw this.failure;
  }

  private async drain(): Promise<void> {
    // Let the rest of this event-loop turn join the first batch too.
    await new Promise((resolve) => setImmediate(resolve));
    for (let batch = this.take(); batch; batch = this.take()) {
      this.inFlight = batch;
      try {
        await this.write(batch.lines);
        batch.resolve();
        if (this.lineCount >= this.opts.compactAfter) await this.compact();
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)), batch);
      } finally {
        this.inFlight = undefined;
      }
    }
  }

  /** The next batch to write; with none, the drain ends here and the next append starts another. */
  private take(): Batch | undefined {
    const batch = this.pending;
    this.pending = undefined;
    if (!batch) this.draining = undefined;
    return batch;
  }

  private async write(lines: string[]): Promise<void> {
    const handle = await this.openHandle();
    await handle.appendFile(lines.join(''));
    await handle.datasync();
    this.lineCount += lines.length;
    this.counters.journalWrites++;
  }

  private async openHandle(): Promise<fs.promises.FileHandle> {
    if (!this.handle) {
      this.handle = await fs.promises.open(this.opts.file, 'a', 0o600);
      // fdatasync covers the file's data, not its name in the folder.
      await fsyncDir(path.dirname(this.opts.file));
    }
    return this.handle;
  }

  /** Snapshot first, then drop the journal: a crash in between leaves lines the snapshot already holds. */
  private async compact(): Promise<void> {
    await writeFileAtomic(this.opts.snapshotFile, this.opts.snapshot());
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
    await fs.promises.rm(this.opts.file, { force: true });
    this.lineCount = 0;
    this.counters.compactions++;
  }

  private fail(err: Error, batch: Batch): void {
    this.failure ??= err;
    batch.reject(this.failure);
    this.pending?.reject(this.failure);
    this.pending = undefined;
  }
}

/**
 * The journal's records, oldest first. An unparsable last line is a write torn by a
 * crash (never acknowledged) and is dropped; an unparsable line elsewhere is corruption.
 */
export function readJournalSync(file: string): unknown[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.flatMap((line, i) => {
    try {
      return [JSON.parse(line) as unknown];
    } catch (e) {
      if (i === lines.length - 1) return [];
      throw new Error(`${file}:${i + 1}: corrupt journal line (${(e as Error).message})`);
    }
  });
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Appenders await `done`; this only keeps a failed batch from also being an unhandled rejection.
  done.catch(() => undefined);
  return { lines: [], done, resolve, reject };
}

import fs from 'node:fs';
import path from 'node:path';

/** A lock older than this is a dead holder's: an append takes milliseconds. */
const STALE_LOCK_MS = 10_000;
/** Waiting longer than this for the lock fails the append (the caller retries). */
const LOCK_WAIT_MS = 15_000;

/**
 * An append-only JSON-lines file used as the embedded default for SMS, email and
 * webhooks. Appends are de-duplicated by `id`, so a retried delivery of the same
 * logical message is written once, also when another process appended it: the
 * look-then-append runs under a lock file (`<file>.lock`, created exclusively) shared
 * by every process on the file, so two writers never both miss each other's line.
 */
export class JsonlOutbox<T extends { id: string }> {
  private ids = new Set<string>();
  private readOffset = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Appends unless a record with the same id is already there; true when written. */
  append(record: T): Promise<boolean> {
    const run = this.queue.then(() => this.appendNow(record));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** All records, oldest first. */
  read(): T[] {
    if (!fs.existsSync(this.file)) return [];
    return fs
      .readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  }

  private async appendNow(record: T): Promise<boolean> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    return this.locked(async () => {
      await this.catchUp();
      if (this.ids.has(record.id)) return false;
      await fs.promises.appendFile(this.file, JSON.stringify(record) + '\n', {
        encoding: 'utf8',
        mode: 0o600,
      });
      this.ids.add(record.id);
      return true;
    });
  }

  /** Runs `fn` holding `<file>.lock`, which every process appending to the file honours. */
  private async locked<R>(fn: () => Promise<R>): Promise<R> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await fs.promises.open(lock, 'wx', 0o600)).close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = await fs.promises.stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
        // Its holder died mid-append; a lock that old is taken over.
        await fs.promises.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`outbox ${this.file}: lock held for over ${LOCK_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
    }
    try {
      return await fn();
    } finally {
      await fs.promises.rm(lock, { force: true });
    }
  }

  /** Reads only what was appended since the last look (by us or another process). */
  private async catchUp(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      const { size } = await handle.stat();
      if (size <= this.readOffset) return;
      const buf = Buffer.alloc(size - this.readOffset);
      await handle.read(buf, 0, buf.length, this.readOffset);
      const text = buf.toString('utf8');
      const complete = text.lastIndexOf('\n') + 1; // leave a partial last line for next time
      for (const line of text.slice(0, complete).split('\n')) {
        if (!line) continue;
        try {
          this.ids.add((JSON.parse(line) as { id: string }).id);
        } catch {
          // a corrupt line is skipped, not fatal: the outbox is a dev stand-in
        }
      }
      this.readOffset += Buffer.byteLength(text.slice(0, complete));
    } finally {
      await handle.close();
    }
  }
}

/**
 * The embedded provider for messages to a customer (SMS, email): writes each message as a
 * line instead of sending it. A retried send of the same id is not written again and gets
 * the same receipt, as a provider with idempotent sends would answer. `toRecord` picks
 * the record's fields by name, so extra properties on a message never reach the file.
 */
export function outboxProvider<M extends { id: string }, R extends { id: string }>(
  file: string,
  toRecord: (message: M) => R,
) {
  const outbox = new JsonlOutbox<R>(file);
  return {
    provider: 'outbox',
    async send(message: M): Promise<{ provider: string; providerMessageId: string }> {
      await outbox.append(toRecord(message));
      return { provider: 'outbox', providerMessageId: message.id };
    },
  };
}

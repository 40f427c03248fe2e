import fs from 'node:fs';
import path from 'node:path';

/**
 * Durable file writes for the simulator's state: tmp file + fsync + rename
 * (+ fsync of the folder), so readers see the old or the new file, never half of one.
 */
let tmpSeq = 0;

/** A tmp name no other writer uses, even two stores of one process on the same folder. */
function tmpName(file: string): string {
  return `${file}.${process.pid}.${++tmpSeq}.tmp`;
}

/** Blocking version, for startup only. */
export function writeFileAtomicSync(file: string, data: string): void {
  const tmp = tmpName(file);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(path.dirname(file));
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = tmpName(file);
  const handle = await fs.promises.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

function fsyncDirSync(dir: string): void {
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

/** Makes a rename or a new file's name durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // As above: not possible everywhere, and the rename is atomic anyway.
  } finally {
    await handle?.close();
  }
}

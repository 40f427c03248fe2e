import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** AES-256 keys by id; new payloads use `current`, old ones decrypt with the key they name. */
export interface Keyring {
  current: string;
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** `kid:base64,kid2:base64` — the first entry is current unless `currentId` says otherwise. */
export function parseKeyList(list: string, currentId?: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (sep < 1 || !KEY_ID.test(id))
      throw new Error(`payload key "${id || entry.slice(0, 8)}…": expected kid:base64`);
    if (key.length !== 32) throw new Error(`payload key ${id}: AES-256 needs 32 bytes, got ${key.length}`);
    keys.set(id, key);
  }
  const current = currentId ?? keys.keys().next().value;
  if (!current || !keys.has(current))
    throw new Error(`current payload key ${current ?? '(none)'} is not in the list`);
  return { current, keys };
}

/** A dev keyring generated once under DATA_DIR/keys (never used when keys are configured). */
export function loadOrCreateDevKeyring(keysDir: string): Keyring {
  const file = path.join(keysDir, 'payload-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `dev-1:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return parseKeyList(fs.readFileSync(file, 'utf8').trim());
}

/** PAYLOAD_KEYS, else PAYLOAD_KEYS_FILE (a mounted secret, same format), else the dev keyring. */
export function keyringFromConfig(c: {
  PAYLOAD_KEYS?: string;
  PAYLOAD_KEYS_FILE?: string;
  PAYLOAD_KEY_CURRENT?: string;
  keysDir: string;
}): Keyring {
  if (c.PAYLOAD_KEYS) return parseKeyList(c.PAYLOAD_KEYS, c.PAYLOAD_KEY_CURRENT);
  if (c.PAYLOAD_KEYS_FILE)
    return parseKeyList(fs.readFileSync(c.PAYLOAD_KEYS_FILE, 'utf8').trim(), c.PAYLOAD_KEY_CURRENT);
  return loadOrCreateDevKeyring(c.keysDir);
}

import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING } from '../../lib/codec/aes-gcm-codec';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyringFromConfig, parseKeyList } from '../../lib/codec/keyring';

const key = () => randomBytes(32).toString('base64');
const text = (b?: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());

describe('AES-256-GCM payload codec', () => {
  const k1 = key();
  const k2 = key();
  const payload = defaultPayloadConverter.toPayload({ phone: '+254700100001', name: 'Amina' });

  it('encrypts with the current key and decrypts back', async () => {
    const codec = new AesGcmCodec(parseKeyList(`k1:${k1}`));
    const [enc] = await codec.encode([payload]);
    expect(text(enc?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(enc?.metadata?.['encryption-key-id'])).toBe('k1');
    expect(Buffer.from(enc?.data ?? []).toString('latin1')).not.toContain('254700100001');
    const [dec] = await codec.decode([enc as typeof payload]);
    expect(defaultPayloadConverter.fromPayload(dec as typeof payload)).toEqual({
      phone: '+254700100001',
      name: 'Amina',
    });
  });

  it('rotates: new payloads use the new key, old ones still decrypt', async () => {
    const [old] = await new AesGcmCodec(parseKeyList(`k1:${k1}`)).encode([payload]);
    const rotated = new AesGcmCodec(parseKeyList(`k2:${k2},k1:${k1}`));
    const [fresh] = await rotated.encode([payload]);
    expect(text(fresh?.metadata?.['encryption-key-id'])).toBe('k2');
    const decoded = await rotated.decode([old as typeof payload, fresh as typeof payload]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { phone: '+254700100001', name: 'Amina' },
      { phone: '+254700100001', name: 'Amina' },
    ]);
    expect(parseKeyList(`k1:${k1},k2:${k2}`, 'k2').current).toBe('k2');
  });

  it('refuses tampered data and unknown keys', async () => {
    const codec = new AesGcmCodec(parseKeyList(`k1:${k1}`));
    const [enc] = await codec.encode([payload]);
    const tampered = { ...enc, data: Uint8Array.from(enc?.data ?? [], (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new AesGcmCodec(parseKeyList(`k2:${k2}`)).decode([enc as typeof payload])).rejects.toThrow(
      /unknown key id "k1"/,
    );
  });

  it('passes unencrypted payloads through on decode', async () => {
    const codec = new AesGcmCodec(parseKeyList(`k1:${k1}`));
    expect(await codec.decode([payload])).toEqual([payload]);
  });

  it('validates key lists', () => {
    expect(() => parseKeyList('k1:short')).toThrow(/32 bytes/);
    expect(() => parseKeyList(`k1:${k1}`, 'k9')).toThrow(/not in the list/);
    expect(() => parseKeyList(`:${k1}`)).toThrow(/kid:base64/);
  });

  it('reads keys from env, else from a key file, else a dev keyring that persists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-keys-'));
    const file = path.join(dir, 'payload-keys.secret');
    fs.writeFileSync(file, `k2:${k2},k1:${k1}\n`);
    expect(
      keyringFromConfig({ PAYLOAD_KEYS: `k1:${k1}`, PAYLOAD_KEYS_FILE: file, keysDir: dir }).current,
    ).toBe('k1');
    const fromFile = keyringFromConfig({ PAYLOAD_KEYS_FILE: file, keysDir: dir });
    expect([fromFile.current, [...fromFile.keys.keys()]]).toEqual(['k2', ['k2', 'k1']]);
    const dev = keyringFromConfig({ keysDir: path.join(dir, 'dev') });
    expect(keyringFromConfig({ keysDir: path.join(dir, 'dev') }).keys.get(dev.current)).toEqual(
      dev.keys.get(dev.current),
    );
  });
});

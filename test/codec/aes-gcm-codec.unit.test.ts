// The AES-256-GCM codec on its own: round trip, a fresh IV per payload, rotation, and clear refusals.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, PayloadDecryptionError } from '../../src/codec/aes-gcm-codec';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const v1 = new AesGcmPayloadCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' });
const v2 = new AesGcmPayloadCodec({
  keys: new Map([
    ['k1', k1],
    ['k2', k2],
  ]),
  currentKeyId: 'k2',
});
const plain = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

test('round trip keeps data and metadata; the stored form is ciphertext with a fresh IV each time', async () => {
  const value = { tenantId: 'acme', memo: 'CM-0001', n: 1 };
  const [a, b] = await v1.encode([plain(value), plain(value)]);
  expect(utf8(a!.metadata!.encoding)).toBe('binary/encrypted');
  expect(utf8(a!.metadata!['encryption-key-id'])).toBe('k1');
  expect(utf8(a!.data)).not.toContain('acme');
  expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  const [back] = await v1.decode([a!]);
  expect(utf8(back!.metadata!.encoding)).toBe('json/plain');
  expect(defaultPayloadConverter.fromPayload(back!)).toEqual(value);
});

test('rotation: the new codec writes with k2 and still reads k1 payloads', async () => {
  const [old] = await v1.encode([plain('written with k1')]);
  const [fresh] = await v2.encode([plain('written with k2')]);
  expect(utf8(fresh!.metadata!['encryption-key-id'])).toBe('k2');
  const decoded = await v2.decode([old!, fresh!]);
  expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['written with k1', 'written with k2']);
});

test('an unknown key id fails with an error naming it and the configured ids', async () => {
  const [fresh] = await v2.encode([plain('x')]);
  const err = await v1.decode([fresh!]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PayloadDecryptionError);
  expect((err as PayloadDecryptionError).keyId).toBe('k2');
  expect((err as Error).message).toMatch(/encryption key id "k2" is not configured \(configured: k1\)/);
});

test('tampered data, or a payload relabelled with another key id, fails authentication', async () => {
  const [p] = await v2.encode([plain('x')]);
  const tampered = Buffer.from(p!.data!);
  tampered[20] = tampered[20]! ^ 1;
  await expect(v2.decode([{ ...p!, data: tampered }])).rejects.toThrow(/key id "k2": authentication failed/);
  const relabelled = { ...p!, metadata: { ...p!.metadata, 'encryption-key-id': Buffer.from('k1') } };
  await expect(v2.decode([relabelled])).rejects.toThrow(/key id "k1": authentication failed/);
  await expect(v2.decode([{ ...p!, data: Buffer.alloc(5) }])).rejects.toThrow(/truncated/);
});

test('payloads written before encryption was turned on pass through', async () => {
  const old = plain({ before: true });
  expect(await v2.decode([old])).toEqual([old]);
});

test('keys must be 32 bytes and the current key id must be one of them', () => {
  expect(() => new AesGcmPayloadCodec({ keys: new Map([['k', randomBytes(16)]]), currentKeyId: 'k' })).toThrow(
    /key "k" is 16 bytes, not 32/,
  );
  expect(() => new AesGcmPayloadCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k9' })).toThrow(
    /current key id "k9" is not among the keys/,
  );
});

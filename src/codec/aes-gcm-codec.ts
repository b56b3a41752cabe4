// AES-256-GCM PayloadCodec: what the Temporal server stores (and shows to anyone who can read history) is
// ciphertext. Each payload is serialized whole (metadata included) and encrypted with the current key under a fresh
// 12-byte IV; the key id travels in clear beside it so that any configured key, not only the current one, decrypts:
// histories written before a rotation stay readable while their key is kept.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const utf8 = new TextEncoder();
const fromUtf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** A payload could not be decrypted: names the key id and what to do; never shows key material or data. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  constructor(
    message: string,
    readonly keyId: string | undefined,
  ) {
    super(message);
  }
}

export type AesGcmCodecOptions = {
  /** key id → 32-byte key */
  keys: ReadonlyMap<string, Uint8Array>;
  /** The key that encrypts new payloads. */
  currentKeyId: string;
};

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  constructor(o: AesGcmCodecOptions) {
    const keys = new Map<string, Buffer>();
    for (const [id, key] of o.keys) {
      if (key.length !== KEY_BYTES) throw new ValueError(`payload codec key "${id}" is ${key.length} bytes, not 32`);
      keys.set(id, Buffer.from(key));
    }
    if (!keys.has(o.currentKeyId)) {
      throw new ValueError(`payload codec: current key id "${o.currentKeyId}" is not among the keys`);
    }
    this.#keys = keys;
    this.currentKeyId = o.currentKeyId;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.currentKeyId;
    const key = this.#keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload relabelled with another key id fails to decrypt.
      cipher.setAAD(utf8.encode(keyId));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
          [METADATA_KEY_ID]: utf8.encode(keyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Not ours (written before encryption was turned on, or by another codec): pass it through.
      if (fromUtf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromUtf8(payload.metadata?.[METADATA_KEY_ID]);
      if (!keyId) throw new PayloadDecryptionError('encrypted payload has no encryption-key-id metadata', undefined);
      const key = this.#keys.get(keyId);
      if (!key) {
        throw new PayloadDecryptionError(
          `cannot decrypt payload: encryption key id "${keyId}" is not configured (configured: ${this.keyIds.join(', ')}). ` +
            'Add that key to PAYLOAD_CODEC_KEYS: keys that wrote existing histories must be kept after a rotation.',
          keyId,
        );
      }
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated`, keyId);
      }
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(utf8.encode(keyId));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(
          `cannot decrypt payload with key id "${keyId}": authentication failed (tampered, or a different key under the same id)`,
          keyId,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

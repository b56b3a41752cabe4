// The data converter every Temporal client and worker of this project uses: with PAYLOAD_CODEC_KEYS set, payloads
// are encrypted (AesGcmPayloadCodec); without, undefined, i.e. the SDK default (plain JSON). Keys are revealed here
// and nowhere else.
import type { DataConverter } from '@temporalio/common';
import type { PayloadCodecConfig } from '../config';
import { AesGcmPayloadCodec } from './aes-gcm-codec';

export function codecFromConfig(config: { payloadCodec?: PayloadCodecConfig }): AesGcmPayloadCodec | undefined {
  const c = config.payloadCodec;
  if (!c) return undefined;
  const keys = new Map([...c.keys].map(([id, key]) => [id, Buffer.from(key.reveal(), 'base64')]));
  return new AesGcmPayloadCodec({ keys, currentKeyId: c.currentKeyId });
}

/** Pass the result as `dataConverter` to `new Client(...)`, `Worker.create(...)` (via createWorker) and the like. */
export function dataConverterFromConfig(config: { payloadCodec?: PayloadCodecConfig }): DataConverter | undefined {
  const codec = codecFromConfig(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}

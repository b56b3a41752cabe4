// Payloads as the codec server protocol carries them (proto3 JSON, as the Web UI and the CLI send them): metadata
// values and data are base64 strings. Checked with zod so a malformed request gets a 400 naming the field.
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

// `{}` is a request for no payloads: the temporal CLI sends it through --codec-endpoint for queries without
// arguments (issue 16, point 6), and it is answered `{"payloads":[]}`.
export const payloadsRequestSchema = z.strictObject({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
      { message: 'payloads must be an array of { metadata, data }' },
    )
    .default([]),
});
export type PayloadsJson = z.infer<typeof payloadsRequestSchema>;
export type PayloadJson = PayloadsJson['payloads'][number];

export function payloadFromJson(p: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

export function payloadToJson(p: Payload): PayloadJson {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

/** Reads the whole request body, failing fast (without buffering the rest) once it passes `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses a JSON body without throwing, so each API can answer malformed JSON with its own error body. */
export function parseJsonBody(raw: Buffer): JsonParseResult {
  if (raw.length === 0) return { ok: false, message: 'Request body is empty' };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, message: `Malformed JSON: ${(error as Error).message}` };
  }
}

/** True when the Content-Type's media type is `expected` (parameters such as charset are ignored). */
export function hasMediaType(contentType: string | undefined, expected: string): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === expected;
}

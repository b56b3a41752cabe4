import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** What a route handler sees: the parsed request with its body already read (bounded by the size limit). */
export interface EmulatorRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/credit-memos/CM00000001`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Values of `:name` segments of the matched route pattern. */
  params: Record<string, string>;
  /** `METHOD /pattern` of the matched route, used for per-route counters. */
  routeName: string;
  rawBody: Buffer;
  /** Origin the client used (`http://host:port`), for building absolute URLs such as download links. */
  origin: string;
  raw: IncomingMessage;
}

/** What a handler returns. Exactly one of json / text / stream is used; none means an empty body. */
export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string | number>;
  json?: unknown;
  text?: string;
  /** Streamed with back-pressure; stops early if the client goes away. */
  stream?: AsyncIterable<string | Uint8Array>;
  contentType?: string;
}

export type RouteHandler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export function jsonResponse(
  status: number,
  json: unknown,
  headers?: Record<string, string | number>,
): EmulatorResponse {
  return { status, json, headers };
}

/** Case-insensitive single header value (Node lower-cases incoming header names). */
export function headerValue(req: Pick<EmulatorRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { BodyTooLargeError, readBody } from './body';
import { DROP, type LimitsAndFaults } from './limits-and-faults';
import type { Router } from './router';
import type { EmulatorRequest, EmulatorResponse } from './types';

export interface HttpServerOptions {
  router: Router;
  port?: number;
  host?: string;
  /** Applied to every request except admin and `isExempt` paths. */
  limits?: LimitsAndFaults;
  /** Paths that bypass limits and faults besides `/__admin/...` (e.g. pre-signed download URLs). */
  isExempt?: (path: string) => boolean;
  maxBodyBytes?: number;
  /** Adds API-wide headers (request ids, echoed correlation ids) to every response, admin included. */
  decorate?: (req: EmulatorRequest, res: EmulatorResponse) => EmulatorResponse;
  /** The API's own answers for transport-level problems. */
  errors: {
    notFound(req: EmulatorRequest): EmulatorResponse;
    methodNotAllowed(req: EmulatorRequest, allowed: string[]): EmulatorResponse;
    bodyTooLarge(req: EmulatorRequest, limitBytes: number): EmulatorResponse;
    internal(req: EmulatorRequest, error: unknown): EmulatorResponse;
  };
}

export interface RunningHttpServer {
  url: string;
  port: number;
  server: Server;
  stop(): Promise<void>;
}

export const ADMIN_PREFIX = '/__admin/';

/** A small, fast node:http server: route, read body (bounded), apply limits/faults, send JSON or a stream. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const server = createServer((req, res) => {
    handle(options, maxBodyBytes, req, res).catch((error: unknown) => {
      // Only reachable if writing the response itself failed; the socket is unusable then.
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  // Longer than undici's keep-alive so clients do not race a server-side close on an idle socket.
  server.keepAliveTimeout = 10_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    stop: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handle(
  options: HttpServerOptions,
  maxBodyBytes: number,
  raw: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const rawUrl = raw.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const method = raw.method ?? 'GET';
  const match = options.router.match(method, path);
  const req: EmulatorRequest = {
    method,
    path,
    query: new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)),
    headers: raw.headers,
    params: match.kind === 'found' ? match.params : {},
    routeName: match.kind === 'found' ? match.name : `${method} (unmatched)`,
    rawBody: Buffer.alloc(0),
    origin: `http://${raw.headers.host ?? 'localhost'}`,
    raw,
  };

  const dispatch = async (): Promise<EmulatorResponse> => {
    try {
      req.rawBody = await readBody(raw, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return options.errors.bodyTooLarge(req, error.limitBytes);
      throw error;
    }
    if (match.kind === 'not-found') return options.errors.notFound(req);
    if (match.kind === 'method-not-allowed') return options.errors.methodNotAllowed(req, match.allowed);
    try {
      return await match.handler(req);
    } catch (error) {
      return options.errors.internal(req, error);
    }
  };

  if (path.startsWith(ADMIN_PREFIX) && crossOriginBrowserRequest(req)) {
    await send(res, {
      status: 403,
      json: { error: 'the emulator admin API refuses cross-origin browser requests' },
    });
    return;
  }
  const exempt = path.startsWith(ADMIN_PREFIX) || (options.isExempt?.(path) ?? false);
  const outcome = exempt || !options.limits ? await dispatch() : await options.limits.process(req, dispatch);
  if (outcome === DROP) {
    raw.socket.destroy();
    return;
  }
  if (!exempt) options.limits?.recordStatus(outcome.status);
  await send(res, options.decorate ? options.decorate(req, outcome) : outcome);
}

/**
 * The admin API has no authentication (it is a test double's control panel; one route answers with the client
 * secret), so a web page must not be able to drive it from a browser on the same machine (issue 16, point 7): a
 * request whose Origin is not the emulator's own, or that the browser marks as coming from another site
 * (Sec-Fetch-Site, https://www.w3.org/TR/fetch-metadata/), is refused. curl, tests and our clients send neither.
 */
function crossOriginBrowserRequest(req: EmulatorRequest): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== req.origin) return true;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

async function send(res: ServerResponse, out: EmulatorResponse): Promise<void> {
  const headers: Record<string, string | number> = { ...out.headers };
  if (out.stream) {
    res.writeHead(out.status, { 'Content-Type': out.contentType ?? 'application/octet-stream', ...headers });
    for await (const chunk of out.stream) {
      if (res.destroyed) return; // client went away: stop producing
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    res.end();
    return;
  }
  let body: Buffer | undefined;
  if (out.json !== undefined) {
    body = Buffer.from(JSON.stringify(out.json));
    headers['Content-Type'] = out.contentType ?? 'application/json; charset=utf-8';
  } else if (out.text !== undefined) {
    body = Buffer.from(out.text);
    headers['Content-Type'] = out.contentType ?? 'text/plain; charset=utf-8';
  }
  headers['Content-Length'] = body?.length ?? 0;
  res.writeHead(out.status, headers);
  res.end(body);
}

/** Waits for back-pressure to clear, or for the client to go away; leaves no listeners behind. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

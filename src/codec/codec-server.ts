// The codec server: lets the Temporal Web UI and CLI show decrypted payloads to people allowed to read them, without
// the key ever leaving this process. Protocol (Temporal "remote codec"): POST /decode and /encode with
// `{ "payloads": [{ "metadata": {k: base64}, "data": base64 }] }`, answered in the same shape.
// Who may call it: whoever presents CODEC_SERVER_TOKEN, as `Authorization: Bearer <token>` (CLI: --codec-auth,
// scripts), or — browsers cannot add that header to the UI's calls — as the cookie that GET/POST /login sets once
// the token is typed in (the UI sends it with "Include cross-origin credentials"). CORS admits only the configured
// Web UI origins. Nothing is logged: payloads are exactly what this protects.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PayloadCodec } from '@temporalio/common';
import type { Secret } from '../config';
import { payloadFromJson, payloadsRequestSchema, payloadToJson } from './payload-json';

export type CodecServerOptions = {
  codec: PayloadCodec;
  token: Secret;
  corsOrigins: readonly string[];
  port: number;
  host?: string;
  /** Largest request body accepted (default 8 MiB: a history page of payloads); larger gets 413. */
  maxBodyBytes?: number;
  /** Most payloads in one request (default 2000); more gets 413. Bounds the objects one request makes. */
  maxPayloads?: number;
  /**
   * The https URL browsers reach this server at, when a TLS-terminating proxy serves it (CODEC_SERVER_PUBLIC_URL):
   * the session cookie is then marked Secure, and that origin may post the sign-in form.
   */
  publicUrl?: string;
};

export type RunningCodecServer = { url: string; port: number; stop(): Promise<void> };

const SESSION_COOKIE = 'codec_session';
/** A sign-in lasts a working day; signing in again is one form. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** What is read and thrown away after a 413, so the client gets the answer rather than a reset; then the socket is closed. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const maxBody = o.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxPayloads = o.maxPayloads ?? 2000;
  const allowed = new Set(o.corsOrigins);
  const secureCookie = o.publicUrl?.startsWith('https://') ?? false;
  const publicOrigin = o.publicUrl ? new URL(o.publicUrl).origin : undefined;
  // Compare digests, so the comparison takes the same time whatever the length or content of the guess.
  const digest = (s: string) => createHmac('sha256', 'codec-server-auth').update(s).digest();
  const tokenDigest = digest(o.token.reveal());
  // The cookie is derived from the token (not the token itself): rotating the token signs everyone out.
  const sessionValue = createHmac('sha256', o.token.reveal()).update('codec-server-session-v1').digest('base64url');
  const sessionDigest = digest(sessionValue);

  const authorized = (req: IncomingMessage): boolean => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined && timingSafeEqual(digest(bearer), tokenDigest)) return true;
    const cookie = cookiesOf(req)[SESSION_COOKIE];
    return cookie !== undefined && timingSafeEqual(digest(cookie), sessionDigest);
  };

  const cors = (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin === undefined || !allowed.has(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '') || '/';
    const originAllowed = cors(req, res);

    if (req.method === 'OPTIONS') {
      // Preflight: browsers send it without credentials, so it is answered without checking them.
      if (!originAllowed) return send(res, 403, { error: `origin ${req.headers.origin ?? '(none)'} is not allowed` });
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    if (path === '/login' || path === '/logout') {
      // The forms post from this server's own page; a foreign page must not sign a browser in or out.
      const own =
        req.headers.origin === undefined ||
        req.headers.origin === ownOrigin(req) ||
        req.headers.origin === publicOrigin;
      if (req.method === 'POST' && !own) return send(res, 403, { error: 'cross-origin sign-in is refused' });
      return path === '/login' ? login(req, res) : logout(req, res);
    }
    if (path !== '/encode' && path !== '/decode') return send(res, 404, { error: 'use POST /encode or /decode' });
    // A browser call from an origin not allowed is refused before anything is read or decoded (CLI and scripts
    // send no Origin).
    if (req.headers.origin !== undefined && !originAllowed)
      return send(res, 403, { error: 'this origin is not allowed (CODEC_SERVER_CORS_ORIGINS)' });
    if (req.method !== 'POST') return send(res, 405, { error: `${path} takes POST` }, { Allow: 'POST, OPTIONS' });
    if (!authorized(req)) {
      return send(
        res,
        401,
        {
          error: 'missing or wrong credentials: send Authorization: Bearer <CODEC_SERVER_TOKEN>, or sign in at /login',
        },
        { 'WWW-Authenticate': 'Bearer realm="temporal-codec"' },
      );
    }
    const parsed = payloadsRequestSchema.safeParse(parseJson(await readBody(req, res, maxBody)));
    if (parsed.success && parsed.data.payloads.length > maxPayloads)
      throw new HttpError(413, `more than ${maxPayloads} payloads in one request: send them in smaller batches`);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new HttpError(400, `invalid request: ${why}`);
    }
    const payloads = parsed.data.payloads.map(payloadFromJson);
    let out;
    try {
      out = path === '/encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
    } catch (err) {
      throw new HttpError(422, (err as Error).message);
    }
    send(res, 200, { payloads: out.map(payloadToJson) });
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') return html(res, 200, LOGIN_FORM);
    if (req.method !== 'POST') return send(res, 405, { error: '/login takes GET or POST' }, { Allow: 'GET, POST' });
    const token = new URLSearchParams(await readBody(req, res, 16 * 1024)).get('token')?.trim() ?? '';
    if (!timingSafeEqual(digest(token), tokenDigest)) return html(res, 401, page('Wrong token.', LOGIN_FORM));
    res.setHeader('Set-Cookie', sessionCookie(sessionValue, SESSION_MAX_AGE_SECONDS));
    html(res, 200, page('Signed in: the Web UI can now decode payloads through this codec server.', LOGOUT_FORM));
  };

  const logout = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') return html(res, 200, LOGOUT_FORM);
    if (req.method !== 'POST') return send(res, 405, { error: '/logout takes GET or POST' }, { Allow: 'GET, POST' });
    res.setHeader('Set-Cookie', sessionCookie('', 0));
    html(res, 200, page('Signed out: this browser can no longer decode payloads here.', LOGIN_FORM));
  };

  const sessionCookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secureCookie ? '; Secure' : ''}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) send(res, status, { error: err instanceof Error ? err.message : 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host === undefined || o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The server's own origin as the browser sees it (the sign-in form posts from there). */
const ownOrigin = (req: IncomingMessage) => `http://${req.headers.host ?? ''}`;

/**
 * The body, up to `limit` bytes. Over it (by Content-Length or as it streams in), 413: the answer is written first
 * and the connection closed after it, and what the client still sends is read and dropped (up to DRAIN_LIMIT_BYTES)
 * so that it reads the 413 instead of a connection reset.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      req.removeListener('data', onData);
      res.setHeader('Connection', 'close');
      res.once('finish', () => {
        let drained = 0;
        req.on('data', (c: Buffer) => {
          drained += c.length;
          if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
        });
        req.once('end', () => req.socket.destroy());
        req.resume();
      });
      reject(new HttpError(413, `request body over ${limit} bytes`));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    function onData(c: Buffer) {
      size += c.length;
      if (size > limit) return tooLarge();
      chunks.push(c);
    }
    if (Number(req.headers['content-length'] ?? NaN) > limit) return tooLarge();
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid request: body is not JSON');
  }
}

function cookiesOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

const page = (...parts: string[]) =>
  `<!doctype html><meta charset="utf-8"><title>Temporal codec server</title><body style="font-family:sans-serif">${parts.map((p) => `<p>${p}</p>`).join('')}</body>`;
const LOGIN_FORM = page(
  'Sign in to let the Temporal Web UI decrypt payloads in this browser.',
  '<form method="post" action="/login"><input type="password" name="token" placeholder="CODEC_SERVER_TOKEN" size="40" autofocus> <button>Sign in</button></form>',
);
const LOGOUT_FORM = '<form method="post" action="/logout"><button>Sign out</button></form>';

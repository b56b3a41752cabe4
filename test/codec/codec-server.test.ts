// The codec server over HTTP, as the Web UI and the CLI call it: round trip, who may call it, CORS, bad requests.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { payloadFromJson, payloadToJson, type PayloadJson } from '../../src/codec/payload-json';
import { Secret } from '../../src/config';

const TOKEN = randomBytes(24).toString('hex');
const UI = 'http://localhost:8233';
const codec = new AesGcmPayloadCodec({ keys: new Map([['k1', randomBytes(32)]]), currentKeyId: 'k1' });
let server: RunningCodecServer;

beforeAll(async () => {
  server = await startCodecServer({ codec, token: new Secret(TOKEN), corsOrigins: [UI], port: 0 });
});
afterAll(() => server?.stop());

const json = (v: unknown): PayloadJson => payloadToJson(defaultPayloadConverter.toPayload(v));

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const bearer = { Authorization: `Bearer ${TOKEN}` };

test('encode then decode returns the original payloads; encode answers ciphertext', async () => {
  const values = [{ tenantId: 'acme' }, 'plain text', 42, null];
  const enc = await post('/encode', { payloads: values.map(json) }, bearer);
  expect(enc.status).toBe(200);
  const encoded = (await enc.json()) as { payloads: PayloadJson[] };
  expect(encoded.payloads).toHaveLength(4);
  for (const p of encoded.payloads) {
    expect(Buffer.from(p.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(p.data!, 'base64').toString()).not.toContain('acme');
  }
  const dec = await post('/decode', encoded, bearer);
  expect(dec.status).toBe(200);
  const decoded = (await dec.json()) as { payloads: PayloadJson[] };
  expect(decoded.payloads.map((p) => defaultPayloadConverter.fromPayload(payloadFromJson(p)))).toEqual(values);
});

test('without the token, or with a wrong one, it answers 401 and decodes nothing', async () => {
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ secretish: 'acme' })]);
  const body = { payloads: [payloadToJson(encrypted!)] };
  const attempts: Record<string, string>[] = [
    {},
    { Authorization: 'Bearer wrong' },
    { Authorization: TOKEN },
    { Cookie: 'codec_session=x' },
  ];
  for (const headers of attempts) {
    const r = await post('/decode', body, headers);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const text = await r.text();
    expect(text).toMatch(/missing or wrong credentials/);
    expect(text).not.toContain('acme');
  }
});

test('CORS: the preflight admits the Web UI origin without credentials and refuses others', async () => {
  const ok = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
  expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
  expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
  expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('x-namespace'));
  const evil = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
  });
  expect(evil.status).toBe(403);
  expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  // The real request carries the header too, so the UI can read the answer (also a 401).
  const r = await post('/decode', { payloads: [] }, { Origin: UI });
  expect(r.status).toBe(401);
  expect(r.headers.get('access-control-allow-origin')).toBe(UI);
});

test('a browser signs in once at /login with the token and then calls with the cookie it got', async () => {
  expect((await fetch(`${server.url}/login`)).status).toBe(200);
  const form = (token: string) =>
    fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
  const wrong = await form('nope');
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('set-cookie')).toBeNull();
  const right = await form(TOKEN);
  expect(right.status).toBe(200);
  const cookie = right.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/; Max-Age=28800(;|$)/); // it expires (8 h)
  expect(cookie).not.toMatch(/Secure/); // plain http on 127.0.0.1: a Secure cookie would never be sent back
  expect(cookie).not.toContain(TOKEN);
  const r = await post('/decode', { payloads: [json('hello')] }, { Cookie: cookie.split(';')[0]!, Origin: UI });
  expect(r.status).toBe(200);

  // Signing out clears the cookie in the browser.
  const out = await fetch(`${server.url}/logout`, { method: 'POST' });
  expect(out.status).toBe(200);
  expect(out.headers.get('set-cookie')).toMatch(/^codec_session=; .*Max-Age=0/);
  // A foreign page cannot sign a browser in (or out).
  const foreign = await fetch(`${server.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  expect(foreign.status).toBe(403);
  expect(foreign.headers.get('set-cookie')).toBeNull();
});

describe('rough edges (issue 16, point 6)', () => {
  let small: RunningCodecServer;
  beforeAll(async () => {
    small = await startCodecServer({
      codec,
      token: new Secret(TOKEN),
      corsOrigins: [UI],
      port: 0,
      maxBodyBytes: 64 * 1024,
      maxPayloads: 10,
      publicUrl: 'https://codec.example.com',
    });
  });
  afterAll(() => small?.stop());

  test('an oversized body gets a 413 answer, not a connection reset (declared or streamed)', async () => {
    const big = { payloads: [json('x'.repeat(100 * 1024))] };
    const declared = await fetch(`${small.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer },
      body: JSON.stringify(big),
    });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toMatch(/request body over 65536 bytes/);
    // Chunked, without Content-Length: the limit is found while reading.
    const streamed = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request(`${small.url}/decode`, { method: 'POST', headers: bearer }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024, 0x20));
      req.end();
    });
    expect(streamed.status).toBe(413);
    // The default limit (8 MiB) answers 413 too, just past it.
    const atDefault = await post('/decode', ' '.repeat(8 * 1024 * 1024 + 1), bearer);
    expect(atDefault.status).toBe(413);
  });

  test('more payloads than the limit get a 413', async () => {
    const r = await fetch(`${small.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer },
      body: JSON.stringify({ payloads: Array.from({ length: 11 }, () => json(1)) }),
    });
    expect(r.status).toBe(413);
    expect(await r.text()).toMatch(/more than 10 payloads/);
  });

  test('an empty {} body (the temporal CLI, queries without arguments) is answered {"payloads":[]}', async () => {
    for (const path of ['/decode', '/encode']) {
      const r = await post(path, {}, bearer);
      expect({ path, status: r.status, body: await r.json() }).toEqual({ path, status: 200, body: { payloads: [] } });
    }
  });

  test('a request from a disallowed origin is refused (403) before anything is decoded, even with the token', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ tenant: 'acme-secret-name' })]);
    const r = await post(
      '/decode',
      { payloads: [payloadToJson(encrypted!)] },
      { ...bearer, Origin: 'https://evil.example' },
    );
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const text = await r.text();
    expect(text).not.toContain('acme-secret-name');
    expect(text).not.toContain(Buffer.from('acme-secret-name').toString('base64').slice(0, 12));
  });

  test('behind an https public URL the cookie is Secure, and that origin may post the sign-in form', async () => {
    const r = await fetch(`${small.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://codec.example.com' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800; Secure$/);
  });
});

test('malformed requests get a 400 naming the field; an unknown key id a 422 naming it', async () => {
  const notJson = await post('/decode', '{', bearer);
  expect(notJson.status).toBe(400);
  expect(await notJson.text()).toMatch(/body is not JSON/);
  const noPayloads = await post('/decode', { payload: [] }, bearer);
  expect(noPayloads.status).toBe(400);
  expect(await noPayloads.text()).toMatch(/payload/);
  const badData = await post('/decode', { payloads: [{ metadata: { encoding: 'a' }, data: '!!' }] }, bearer);
  expect(badData.status).toBe(400);
  expect(await badData.text()).toMatch(/payloads\.0\.data: must be base64/);

  const other = new AesGcmPayloadCodec({ keys: new Map([['k7', randomBytes(32)]]), currentKeyId: 'k7' });
  const [p] = await other.encode([defaultPayloadConverter.toPayload('x')]);
  const unknown = await post('/decode', { payloads: [payloadToJson(p!)] }, bearer);
  expect(unknown.status).toBe(422);
  expect(await unknown.text()).toMatch(/encryption key id \\"k7\\" is not configured/);

  expect((await post('/nope', {}, bearer)).status).toBe(404);
  expect((await fetch(`${server.url}/decode`, { headers: bearer })).status).toBe(405);
});

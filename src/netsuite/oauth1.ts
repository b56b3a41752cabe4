import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * NetSuite token-based authentication: OAuth 1.0a with HMAC-SHA256 (HMAC-SHA1 is refused since 2023.1).
 * Signed exactly as docs/netsuite.md describes: oauth_* params (minus realm and oauth_signature) + URL query
 * params + form-body params (only for application/x-www-form-urlencoded; JSON bodies are never signed).
 * The same functions are used by the emulator to verify, so the verifier cannot drift from the signer.
 */

export const SIGNATURE_METHOD = 'HMAC-SHA256';

export interface TbaCredentials {
  /** Account id, sent as the (unsigned) realm, e.g. `1234567_SB1`. */
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export interface SignerOptions {
  /** Milliseconds since the epoch; injectable so tests get fixed timestamps. */
  now?: () => number;
  nonce?: () => string;
}

export interface RequestToSign {
  method: string;
  url: string;
  /** Only pass for `application/x-www-form-urlencoded` bodies: their params are signed. */
  formBody?: string | URLSearchParams;
}

export type OAuthParam = readonly [name: string, value: string];

/** RFC 3986 percent-encoding: unreserved characters kept, everything else as upper-case `%XX` of its UTF-8 bytes. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Base string URI: scheme and host lower-cased, default port dropped, no query or fragment; path as sent. */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  // URL already lower-cases scheme and host and drops default ports (80/443).
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** Query params as decoded name/value pairs (`+` is a space, as in form encoding). */
export function queryParams(url: string): OAuthParam[] {
  return [...new URL(url).searchParams.entries()];
}

export function formParams(body: string | URLSearchParams): OAuthParam[] {
  const params = typeof body === 'string' ? new URLSearchParams(body) : body;
  return [...params.entries()];
}

/** Encode each name and value, then sort by encoded name, then encoded value (RFC 5849 §3.4.1.3.2). */
export function normalizeParams(params: readonly OAuthParam[]): string {
  return params
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function signatureBaseString(method: string, url: string, params: readonly OAuthParam[]): string {
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalizeParams(params))].join('&');
}

export function signingKey(consumerSecret: string, tokenSecret: string): string {
  return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
}

export function hmacSha256Signature(baseString: string, key: string): string {
  return createHmac('sha256', key).update(baseString, 'utf8').digest('base64');
}

/** All params that go into the base string for a request (excluding realm and oauth_signature). */
export function paramsToSign(request: RequestToSign, oauthParams: readonly OAuthParam[]): OAuthParam[] {
  const signed = oauthParams.filter(([name]) => name !== 'realm' && name !== 'oauth_signature');
  return [...signed, ...queryParams(request.url), ...(request.formBody ? formParams(request.formBody) : [])];
}

export class OAuth1Signer {
  private readonly now: () => number;
  private readonly nonce: () => string;

  constructor(
    private readonly credentials: TbaCredentials,
    options: SignerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  }

  /** The value of the `Authorization` header; call once per attempt (a fresh nonce and timestamp each time). */
  authorizationHeader(request: RequestToSign): string {
    const oauthParams: OAuthParam[] = [
      ['oauth_consumer_key', this.credentials.consumerKey],
      ['oauth_token', this.credentials.tokenId],
      ['oauth_signature_method', SIGNATURE_METHOD],
      ['oauth_timestamp', String(Math.floor(this.now() / 1000))],
      ['oauth_nonce', this.nonce()],
      ['oauth_version', '1.0'],
    ];
    const baseString = signatureBaseString(request.method, request.url, paramsToSign(request, oauthParams));
    const signature = hmacSha256Signature(
      baseString,
      signingKey(this.credentials.consumerSecret, this.credentials.tokenSecret),
    );
    const headerParams: OAuthParam[] = [
      ['realm', this.credentials.accountId],
      ...oauthParams,
      ['oauth_signature', signature],
    ];
    return `OAuth ${headerParams.map(([name, value]) => `${name}="${percentEncode(value)}"`).join(', ')}`;
  }
}

/** Parses `Authorization: OAuth k="v", ...` into decoded params; undefined when it is not a well-formed OAuth header. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  const match = header ? /^OAuth\s+(.*)$/is.exec(header.trim()) : null;
  const body = match?.[1];
  if (!body) return undefined;
  const params = new Map<string, string>();
  // Sticky: every character must belong to a `name="value"` pair, so stray text invalidates the header.
  const pair = /\s*([A-Za-z0-9_\-.~%]+)="([^"]*)"\s*(?:,|$)/y;
  while (pair.lastIndex < body.length) {
    const m = pair.exec(body);
    if (!m) return undefined;
    try {
      params.set(decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? ''));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

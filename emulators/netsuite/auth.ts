import {
  SIGNATURE_METHOD,
  hmacSha256Signature,
  paramsToSign,
  parseOAuthHeader,
  signatureBaseString,
  signaturesEqual,
  signingKey,
} from '../../src/netsuite/oauth1';

/** One integration record (consumer) and one access token, as provisioned in the emulated account. */
export interface TbaCredentialSet {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export type TbaRejection =
  | 'missing-header'
  | 'realm'
  | 'signature-method'
  | 'version'
  | 'unknown-consumer'
  | 'unknown-token'
  | 'stale-timestamp'
  | 'bad-signature'
  | 'reused-nonce';

export interface TbaRequest {
  method: string;
  /** Absolute URL as the client addressed it (origin + path + query). */
  url: string;
  authorization: string | undefined;
  /** Only for application/x-www-form-urlencoded bodies. */
  formBody?: string;
}

/**
 * Verifies NetSuite TBA signatures with the same base-string code the client signs with. Nonces are remembered
 * for the accepted skew window (a nonce older than that is stale anyway), keyed by consumer and token.
 */
export class TbaVerifier {
  private readonly nonces = new Map<string, number>();
  private inserts = 0;

  constructor(
    private readonly credentials: () => readonly TbaCredentialSet[],
    private readonly options: { now: () => number; maxSkewMs: () => number },
  ) {}

  verify(request: TbaRequest): { ok: true; credentials: TbaCredentialSet } | { ok: false; reason: TbaRejection } {
    const params = parseOAuthHeader(request.authorization);
    if (!params) return { ok: false, reason: 'missing-header' };
    const consumerKey = params.get('oauth_consumer_key');
    const tokenId = params.get('oauth_token');
    const known = this.credentials();
    const consumer = known.filter((c) => c.consumerKey === consumerKey);
    if (consumer.length === 0) return { ok: false, reason: 'unknown-consumer' };
    const credentials = consumer.find((c) => c.tokenId === tokenId);
    if (!credentials) return { ok: false, reason: 'unknown-token' };
    // Realm is the account id; sandbox ids are compared case-insensitively (1234567_SB1 vs 1234567_sb1).
    if (params.get('realm')?.toUpperCase() !== credentials.accountId.toUpperCase())
      return { ok: false, reason: 'realm' };
    if (params.get('oauth_signature_method') !== SIGNATURE_METHOD) return { ok: false, reason: 'signature-method' };
    const version = params.get('oauth_version');
    if (version !== undefined && version !== '1.0') return { ok: false, reason: 'version' };

    const now = this.options.now();
    const timestamp = Number(params.get('oauth_timestamp'));
    if (!Number.isInteger(timestamp) || Math.abs(now - timestamp * 1000) > this.options.maxSkewMs()) {
      return { ok: false, reason: 'stale-timestamp' };
    }

    const signed = paramsToSign({ method: request.method, url: request.url, formBody: request.formBody }, [
      ...params.entries(),
    ]);
    const expected = hmacSha256Signature(
      signatureBaseString(request.method, request.url, signed),
      signingKey(credentials.consumerSecret, credentials.tokenSecret),
    );
    if (!signaturesEqual(expected, params.get('oauth_signature') ?? '')) return { ok: false, reason: 'bad-signature' };

    const nonce = params.get('oauth_nonce');
    if (!nonce) return { ok: false, reason: 'missing-header' };
    const nonceKey = `${credentials.consumerKey}\u0000${credentials.tokenId}\u0000${nonce}`;
    const seenUntil = this.nonces.get(nonceKey);
    if (seenUntil !== undefined && seenUntil > now) return { ok: false, reason: 'reused-nonce' };
    this.nonces.set(nonceKey, now + 2 * this.options.maxSkewMs());
    if (++this.inserts % 10_000 === 0) this.forgetExpired(now);
    return { ok: true, credentials };
  }

  private forgetExpired(now: number): void {
    for (const [key, until] of this.nonces) if (until <= now) this.nonces.delete(key);
  }
}

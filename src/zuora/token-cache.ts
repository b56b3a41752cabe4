import type { RequestGate } from '../http/request-gate';
import { ZuoraApiError, ZuoraResponseShapeError } from './errors';
import { tokenResponseSchema } from './schemas';
import { parseRetryAfter } from '../http/retry-after';
import { errorFromResponse, readJsonSafely } from './response';

export interface TokenCacheOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  gate: RequestGate;
  fetch: typeof fetch;
  now: () => number;
  /** Refresh this long before expiry (capped at half the token lifetime so short-lived tokens stay usable). */
  refreshSkewMs: number;
  requestTimeoutMs: number;
}

/**
 * One OAuth client-credentials token per tenant. Concurrent callers share a single in-flight fetch, because
 * Zuora rate-limits the token endpoint per IP: a token per request would get the worker throttled.
 */
export class TokenCache {
  private token: { value: string; refreshAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  fetches = 0;

  constructor(private readonly options: TokenCacheOptions) {}

  get(): Promise<string> {
    if (this.token && this.options.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Drops `token` after a 401; a token already replaced by another caller's refresh is left alone. */
  invalidate(token: string): void {
    if (this.token?.value === token) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { baseUrl, clientId, clientSecret, gate, now, refreshSkewMs, requestTimeoutMs } = this.options;
    const path = '/oauth/token';
    this.fetches++;
    const body = new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
    });
    const requestedAt = now();
    let response: Response;
    try {
      response = await gate.run(() =>
        this.options.fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        }),
      );
    } catch (error) {
      throw new ZuoraApiError({
        httpStatus: 0,
        code: 'NETWORK_ERROR',
        message: `token request failed: ${(error as Error).message}`,
        method: 'POST',
        path,
      });
    }
    const json = await readJsonSafely(response);
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      if (response.status === 429 && retryAfterMs !== undefined) gate.pauseFor(retryAfterMs);
      throw errorFromResponse(response, json, {
        method: 'POST',
        path,
        retryAfterMs,
        // Bad client credentials will not heal by retrying; throttling or outages will.
        retryable: response.status === 429 || response.status >= 500,
      });
    }
    const parsed = tokenResponseSchema.safeParse(json.ok ? json.value : undefined);
    if (!parsed.success) {
      throw new ZuoraResponseShapeError(`Unexpected OAuth token response: ${parsed.error.message}`, {
        httpStatus: response.status,
        path,
        issues: parsed.error.issues,
      });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    this.token = {
      value: parsed.data.access_token,
      refreshAt: requestedAt + lifetimeMs - Math.min(refreshSkewMs, lifetimeMs / 2),
    };
    return parsed.data.access_token;
  }
}

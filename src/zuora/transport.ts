// Every Zuora API call goes through here: token, gate, Track-Id, bounded retries, error and shape checks.
import type { z } from 'zod';
import { computeBackoff, sleep, ThrottleBudget, type BackoffOptions } from '../http/backoff';
import type { RequestGate } from '../http/request-gate';
import { ZuoraApiError, ZuoraResponseShapeError } from './errors';
import { parseRetryAfter } from '../http/retry-after';
import { errorFromResponse, readJsonSafely, reasonsOf, type JsonRead } from './response';
import type { TokenCache } from './token-cache';

export interface TransportOptions {
  baseUrl: string;
  gate: RequestGate;
  tokens: TokenCache;
  fetch: typeof fetch;
  now: () => number;
  maxRetries: number;
  /** How long one request may wait out 429s (Retry-After or backoff) before the 429 is thrown. */
  maxThrottleWaitMs: number;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  /** Upper bound for a server's Retry-After (a misconfigured header must not park the tenant for hours). */
  maxRetryAfterMs: number;
  entityIds?: string;
}

export interface ZuoraRequestSpec<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  schema: S;
  /**
   * Whether repeating the call after an *ambiguous* failure (connection lost, timeout, 5xx) is safe.
   * False for creates without an idempotency key: those are retried only when Zuora certainly did not process
   * them (429, explicit error codes); the thrown error stays retryable so the caller can look up, then retry.
   */
  idempotent: boolean;
  headers?: Record<string, string>;
  /** A status whose body is a normal result (payments: a replayed Idempotency-Key may answer 409 + original). */
  acceptStatus?: (status: number, body: unknown) => boolean;
  signal?: AbortSignal;
}

export interface TransportStats {
  /** HTTP attempts sent, token requests excluded. */
  requests: number;
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** Pause time this client asked the gate for (Retry-After or backoff after a 429). */
  throttledMs: number;
  tokenFetches: number;
  tokenRefreshesAfter401: number;
}

export class ZuoraTransport {
  readonly counters = { requests: 0, retries: 0, throttled: 0, throttledMs: 0, tokenRefreshesAfter401: 0 };

  constructor(private readonly options: TransportOptions) {}

  stats(): TransportStats {
    return { ...this.counters, tokenFetches: this.options.tokens.fetches };
  }

  async request<S extends z.ZodType>(spec: ZuoraRequestSpec<S>, trackId: string | undefined): Promise<z.infer<S>> {
    let refreshedAfter401 = false;
    const throttle = new ThrottleBudget(this.options.maxThrottleWaitMs);
    for (let retry = 0; ;) {
      try {
        return await this.attempt(spec, trackId, refreshedAfter401);
      } catch (error) {
        if (error instanceof UnauthorizedOnce) {
          // Zuora's advice: on a 401 fetch a new token and retry once; a second 401 is a real auth failure.
          refreshedAfter401 = true;
          this.counters.tokenRefreshesAfter401++;
          this.options.tokens.invalidate(error.token);
          continue;
        }
        if (!(error instanceof ZuoraApiError) || !error.retryable) throw error;
        if (error.ambiguous && !spec.idempotent) throw error;
        if (spec.signal?.aborted) throw error;
        if (error.httpStatus === 429) {
          // Throttling is the API working as documented, not a failure: wait it out here while the budget lasts
          // (each activity attempt would otherwise spend a Temporal retry on it), then hand it to the caller.
          const waitMs = throttle.take(error.retryAfterMs, this.options.backoff);
          if (waitMs === undefined) throw error;
          this.counters.retries++;
          // A Retry-After already paused the gate (every request of the tenant waits); without one, wait here.
          if (error.retryAfterMs === undefined) await sleep(waitMs, spec.signal);
          continue;
        }
        if (retry >= this.options.maxRetries) throw error;
        this.counters.retries++;
        await sleep(computeBackoff(retry, this.options.backoff), spec.signal);
        retry++;
      }
    }
  }

  private async attempt<S extends z.ZodType>(
    spec: ZuoraRequestSpec<S>,
    trackId: string | undefined,
    afterRefresh: boolean,
  ): Promise<z.infer<S>> {
    const { baseUrl, gate, tokens, now } = this.options;
    const token = await tokens.get();
    const url = new URL(spec.path, baseUrl);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...spec.headers,
    };
    if (trackId) headers['Zuora-Track-Id'] = trackId;
    if (this.options.entityIds) headers['Zuora-Entity-Ids'] = this.options.entityIds;
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    const context = { method: spec.method, path: spec.path, trackId };

    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let response: Response;
    let json: JsonRead;
    try {
      ({ response, json } = await gate.run(async () => {
        this.counters.requests++;
        const res = await this.options.fetch(url, {
          method: spec.method,
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal,
        });
        return { response: res, json: await readJsonSafely(res) };
      }));
    } catch (error) {
      if (spec.signal?.aborted) throw error;
      throw new ZuoraApiError({
        httpStatus: 0,
        code: 'NETWORK_ERROR',
        message: `${(error as Error).message}${(error as Error).cause ? `: ${String((error as Error).cause)}` : ''}`,
        ambiguous: true,
        ...context,
      });
    }

    const requestId = response.headers.get('zuora-request-id') ?? undefined;
    const accepted = spec.acceptStatus?.(response.status, json.ok ? json.value : undefined) ?? false;
    if (!response.ok && !accepted) {
      if (response.status === 401 && !afterRefresh) throw new UnauthorizedOnce(token);
      let retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      if (response.status === 429) {
        this.counters.throttled++;
        retryAfterMs = Math.min(retryAfterMs ?? computeBackoff(0, this.options.backoff), this.options.maxRetryAfterMs);
        this.counters.throttledMs += retryAfterMs;
        gate.pauseFor(retryAfterMs); // tenant-wide: every request of this gate waits, not just this one
      }
      throw errorFromResponse(response, json, {
        ...context,
        retryAfterMs,
        retryable: response.status === 401 ? false : undefined,
        // A 5xx may come after the work was done (gateway timeouts), and so may a 409 that does not say why (only a
        // documented code, e.g. lock competition, says nothing was written; found by test/fuzz/api-responses):
        // unsafe to repeat a non-idempotent call.
        ambiguous: response.status >= 500 || (response.status === 409 && !(json.ok && reasonsOf(json.value))),
      });
    }
    if (!json.ok) {
      throw new ZuoraResponseShapeError(`Zuora answered ${response.status} with a body that is not JSON`, {
        httpStatus: response.status,
        requestId,
        ...context,
        issues: json.text.slice(0, 200),
      });
    }
    // HTTP 200 can carry a failure: REST `success: false`, CRUD `Success: false`.
    if (isFailureFlag(json.value)) {
      const found = reasonsOf(json.value);
      const error = errorFromResponse(response, json, context);
      if (!found) {
        throw new ZuoraResponseShapeError('Zuora reported failure without reasons', {
          httpStatus: response.status,
          requestId,
          ...context,
        });
      }
      throw error;
    }
    const parsed = spec.schema.safeParse(json.value);
    if (!parsed.success) {
      throw new ZuoraResponseShapeError(
        `Unexpected response shape from ${spec.method} ${spec.path}: ${parsed.error.message}`,
        { httpStatus: response.status, requestId, ...context, issues: parsed.error.issues },
      );
    }
    return parsed.data;
  }
}

function isFailureFlag(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return record.success === false || record.Success === false;
}

/** Internal signal: the first 401 of a request, answered by one token refresh. */
class UnauthorizedOnce extends Error {
  constructor(readonly token: string) {
    super('401 Unauthorized');
  }
}

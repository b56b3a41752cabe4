import type { z } from 'zod';
import { computeBackoff, sleep, ThrottleBudget, type BackoffOptions } from '../http/backoff';
import type { RequestGate } from '../http/request-gate';
import { parseRetryAfter } from '../http/retry-after';
import { NetSuiteApiError, NetSuitePagingError, NetSuiteResponseShapeError } from './errors';
import { OAuth1Signer, type SignerOptions } from './oauth1';
import {
  creditMemoRecordSchema,
  customerPaymentRecordSchema,
  errorBodySchema,
  governanceLimitsSchema,
  invoiceRecordSchema,
  suiteqlPageSchema,
  type CreditMemoRecord,
  type CustomerPaymentRecord,
  type GovernanceLimits,
  type InvoiceRecord,
  type SuiteqlPage,
} from './schemas';

export interface NetSuiteClientOptions {
  accountId: string;
  /** e.g. `https://1234567.suitetalk.api.netsuite.com` (take it from the account's Company URLs; never build it). */
  restBaseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
  /** Shared per-account gate: bounds concurrency (the account limit is shared) and honours Retry-After pauses. */
  gate?: RequestGate;
  /** Retries after the first attempt, for 5xx / network errors / INVALID_LOGIN. Default 5. */
  maxRetries?: number;
  /** 429s are retried while their waits (Retry-After, else backoff) add up to at most this. Default 60 s. */
  maxThrottleWaitMs?: number;
  /** How many times a 401 INVALID_LOGIN is retried (it can mean overload) before it is final. Default 2. */
  maxInvalidLoginRetries?: number;
  backoff?: Omit<BackoffOptions, 'random'> & { random?: () => number };
  fetch?: typeof fetch;
  signer?: SignerOptions;
  /** Per-attempt timeout; NetSuite itself cuts requests at 15 minutes. Default 120 s. */
  requestTimeoutMs?: number;
}

export type NetSuiteRecordType = 'creditMemo' | 'invoice' | 'customerPayment';

/** Values a PATCH may set; `null` clears the field. */
export type PatchFields = Record<string, string | number | boolean | null>;

/** A query whose page after `lastId` is `id > lastId ORDER BY id`: a template with `:lastId` or a builder. */
export type KeyedQuery = string | ((lastId: number) => string);

export interface SuiteqlAllOptions<S extends z.ZodType> {
  /** Parses each row; a row it rejects raises NetSuiteResponseShapeError. */
  rowSchema?: S;
  /** Column that carries the paging key (lower case, as SuiteQL returns it). Default `id`. */
  keyColumn?: string;
  /** Start after this key. Default 0 (NetSuite internal ids are positive). */
  startAfter?: number;
  /** Rows per page, at most 1000. Default 1000. */
  pageSize?: number;
}

export interface NetSuiteClientStats {
  requests: number;
  retries: number;
  throttled: number;
  invalidLogins: number;
  serverErrors: number;
  networkErrors: number;
}

export const SUITEQL_MAX_LIMIT = 1000;
const LAST_ID_PLACEHOLDER = /:lastId\b/;

interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export class NetSuiteClient {
  private readonly baseUrl: string;
  private readonly signer: OAuth1Signer;
  private readonly fetchImpl: typeof fetch;
  private readonly maxRetries: number;
  private readonly maxThrottleWaitMs: number;
  private readonly maxInvalidLoginRetries: number;
  private readonly backoff: BackoffOptions;
  private readonly requestTimeoutMs: number;
  private readonly gate: RequestGate | undefined;
  private readonly counters: NetSuiteClientStats = {
    requests: 0,
    retries: 0,
    throttled: 0,
    invalidLogins: 0,
    serverErrors: 0,
    networkErrors: 0,
  };

  constructor(options: NetSuiteClientOptions) {
    this.baseUrl = options.restBaseUrl.replace(/\/+$/, '').replace(/\/services\/rest$/, '');
    this.signer = new OAuth1Signer(
      {
        accountId: options.accountId,
        consumerKey: options.consumerKey,
        consumerSecret: options.consumerSecret,
        tokenId: options.tokenId,
        tokenSecret: options.tokenSecret,
      },
      options.signer,
    );
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxRetries = options.maxRetries ?? 5;
    this.maxThrottleWaitMs = options.maxThrottleWaitMs ?? 60_000;
    this.maxInvalidLoginRetries = options.maxInvalidLoginRetries ?? 2;
    this.backoff = { baseMs: 200, maxMs: 10_000, ...options.backoff };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
    this.gate = options.gate;
  }

  stats(): NetSuiteClientStats {
    return { ...this.counters };
  }

  /** One SuiteQL page. `offset` must be a multiple of `limit`; offset + limit may not pass 100,000. */
  async suiteql(q: string, { limit = SUITEQL_MAX_LIMIT, offset = 0 }: { limit?: number; offset?: number } = {}) {
    if (!Number.isInteger(limit) || limit < 1 || limit > SUITEQL_MAX_LIMIT) {
      throw new RangeError(`SuiteQL limit must be 1..${SUITEQL_MAX_LIMIT}, got ${limit}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset % limit !== 0) {
      throw new RangeError(`SuiteQL offset must be a non-negative multiple of limit (${limit}), got ${offset}`);
    }
    const response = await this.request('POST', '/services/rest/query/v1/suiteql', {
      query: { limit: String(limit), offset: String(offset) },
      headers: { Prefer: 'transient' },
      json: { q },
    });
    return parseWith(suiteqlPageSchema, response.body, 'suiteql');
  }

  /**
   * Every row of a key-paged query, each exactly once, however many (past the 100,000-row offset cap): each page is
   * asked for at offset 0 with the key of the last row seen, until a page comes back short.
   */
  async *suiteqlAll<S extends z.ZodType = z.ZodType<Record<string, unknown>>>(
    query: KeyedQuery,
    options: SuiteqlAllOptions<S> = {},
  ): AsyncGenerator<z.output<S>, void, undefined> {
    const { rowSchema, keyColumn = 'id', startAfter = 0, pageSize = SUITEQL_MAX_LIMIT } = options;
    const build = typeof query === 'function' ? query : keyedTemplate(query);
    let lastId = startAfter;
    for (;;) {
      const sql = build(lastId);
      assertKeyedQuery(sql, keyColumn);
      const page: SuiteqlPage = await this.suiteql(sql, { limit: pageSize, offset: 0 });
      for (const item of page.items) {
        const key = Number(item[keyColumn]);
        if (!Number.isFinite(key) || key <= lastId) {
          throw new NetSuitePagingError(
            `key-based paging: column ${keyColumn} must be present and strictly increasing (got ${String(item[keyColumn])} after ${lastId})`,
          );
        }
        lastId = key;
        yield rowSchema ? parseWith(rowSchema, item, 'suiteql row') : (item as z.output<S>);
      }
      if (page.items.length < pageSize) return;
    }
  }

  async getCreditMemo(id: string, { expandSubResources = false } = {}): Promise<CreditMemoRecord> {
    const response = await this.request('GET', recordPath('creditMemo', id), {
      query: expandSubResources ? { expandSubResources: 'true' } : {},
    });
    return parseWith(creditMemoRecordSchema, response.body, `creditMemo ${id}`);
  }

  async getInvoice(id: string): Promise<InvoiceRecord> {
    const response = await this.request('GET', recordPath('invoice', id), {});
    return parseWith(invoiceRecordSchema, response.body, `invoice ${id}`);
  }

  async getCustomerPayment(id: string, { expandSubResources = false } = {}): Promise<CustomerPaymentRecord> {
    const response = await this.request('GET', recordPath('customerPayment', id), {
      query: expandSubResources ? { expandSubResources: 'true' } : {},
    });
    return parseWith(customerPaymentRecordSchema, response.body, `customerPayment ${id}`);
  }

  /** PATCH only the given body fields (`null` clears). NetSuite answers 204 with the record's Location. */
  async patchRecord(type: NetSuiteRecordType, id: string, fields: PatchFields): Promise<{ location: string }> {
    const response = await this.request('PATCH', recordPath(type, id), { json: fields });
    const location = response.headers.get('location');
    if (response.status !== 204 || !location) {
      throw new NetSuiteResponseShapeError(
        `PATCH ${type} ${id}`,
        [{ path: ['Location'], message: `expected 204 with Location, got ${response.status} ${location ?? '(none)'}` }],
        response.body,
      );
    }
    return { location };
  }

  async getGovernanceLimits(): Promise<GovernanceLimits> {
    const response = await this.request('GET', '/services/rest/system/v1/governanceLimits', {});
    return parseWith(governanceLimitsSchema, response.body, 'governanceLimits');
  }

  /** Signs, sends and retries one logical request; every attempt gets a fresh nonce and timestamp. */
  private async request(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    init: { query?: Record<string, string>; headers?: Record<string, string>; json?: unknown },
  ): Promise<RawResponse> {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const body = init.json === undefined ? undefined : JSON.stringify(init.json);
    let invalidLogins = 0;
    const throttle = new ThrottleBudget(this.maxThrottleWaitMs);
    for (let attempt = 0; ;) {
      let error: NetSuiteApiError;
      try {
        const response = await this.send(method, url.toString(), body, init.headers ?? {});
        if (response.status < 400) return response;
        error = toApiError(response);
      } catch (caught) {
        if (!(caught instanceof NetSuiteApiError)) throw caught;
        error = caught;
      }
      this.count(error);
      if (error.isInvalidLogin && ++invalidLogins > this.maxInvalidLoginRetries) error.retryable = false;
      if (!error.retryable) throw error;
      if (error.httpStatus === 429) {
        // Throttling (the account's concurrency is shared with every other integration) is waited out here while
        // the budget lasts, with growing de-synchronised delays as Oracle advises; then it is the caller's.
        const waitMs = throttle.take(error.retryAfterMs, this.backoff);
        if (waitMs === undefined) throw error;
        if (error.retryAfterMs !== undefined) this.gate?.pauseFor(error.retryAfterMs);
        this.counters.retries++;
        await sleep(waitMs);
        continue;
      }
      if (attempt >= this.maxRetries) throw error;
      this.counters.retries++;
      await sleep(computeBackoff(attempt, this.backoff));
      attempt++;
    }
  }

  private async send(method: string, url: string, body: string | undefined, headers: Record<string, string>) {
    const attempt = async (): Promise<RawResponse> => {
      this.counters.requests++;
      const allHeaders: Record<string, string> = {
        Accept: 'application/json',
        ...headers,
        Authorization: this.signer.authorizationHeader({ method, url }),
      };
      if (body !== undefined) allHeaders['Content-Type'] = 'application/json';
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers: allHeaders,
          body,
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
        text = await response.text();
      } catch (cause) {
        throw new NetSuiteApiError({
          httpStatus: 0,
          errorCode: 'NETWORK_ERROR',
          detail: cause instanceof Error ? cause.message : String(cause),
          retryable: true,
        });
      }
      return { status: response.status, headers: response.headers, body: parseBody(text, response.status, url) };
    };
    return this.gate ? this.gate.run(attempt) : attempt();
  }

  private count(error: NetSuiteApiError): void {
    if (error.httpStatus === 429) this.counters.throttled++;
    else if (error.isInvalidLogin) this.counters.invalidLogins++;
    else if (error.httpStatus >= 500) this.counters.serverErrors++;
    else if (error.httpStatus === 0) this.counters.networkErrors++;
  }
}

function recordPath(type: NetSuiteRecordType, id: string): string {
  return `/services/rest/record/v1/${type}/${encodeURIComponent(id)}`;
}

function keyedTemplate(template: string): (lastId: number) => string {
  if (!LAST_ID_PLACEHOLDER.test(template)) {
    throw new NetSuitePagingError('key-based SuiteQL template must contain the :lastId placeholder');
  }
  return (lastId) => template.replace(new RegExp(LAST_ID_PLACEHOLDER.source, 'g'), String(lastId));
}

/** A cheap guard against queries that would page forever or skip rows: they must order by the key. */
function assertKeyedQuery(sql: string, keyColumn: string): void {
  const orderBy = new RegExp(`order\\s+by\\s+(?:\\w+\\.)?${keyColumn}(?:\\s+asc)?\\s*$`, 'i');
  if (!orderBy.test(sql.trim().replace(/;$/, ''))) {
    throw new NetSuitePagingError(`key-based SuiteQL must end with ORDER BY ${keyColumn}: ${sql}`);
  }
}

/** Empty and non-JSON bodies are legal for errors (proxies) and 204s; a 2xx with a body must be JSON. */
function parseBody(text: string, status: number, url: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (status >= 400) return text;
    throw new NetSuiteResponseShapeError(url, [{ path: [], message: 'response body is not JSON' }], text);
  }
}

function toApiError(response: RawResponse): NetSuiteApiError {
  const parsed = errorBodySchema.safeParse(response.body);
  const detail = parsed.success ? parsed.data['o:errorDetails']?.[0] : undefined;
  return new NetSuiteApiError({
    httpStatus: response.status,
    errorCode: detail?.['o:errorCode'],
    detail: detail?.detail ?? (typeof response.body === 'string' ? response.body.slice(0, 500) : undefined),
    errorPath: detail?.['o:errorPath'],
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
  });
}

function parseWith<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new NetSuiteResponseShapeError(what, result.error.issues, body);
  return result.data;
}

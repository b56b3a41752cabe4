// ZuoraClient: the documented Zuora operations the upgrade needs, over one tenant's token, gate and retry policy.
import { z } from 'zod';
import { sleep, type BackoffOptions } from '../http/backoff';
import { RequestGate } from '../http/request-gate';
import { ZuoraApiError, ZuoraResponseShapeError } from './errors';
import { splitJsonLines } from './json-lines';
import {
  ACTION_CREATE_LIMIT,
  BULK_CREDIT_MEMO_LIMIT,
  ZOQL_MAX_BATCH_SIZE,
  actionCreateRequestSchema,
  actionCreateResponseSchema,
  bulkCreditMemoRequestSchema,
  bulkCreditMemoResponseSchema,
  creditMemoListResponseSchema,
  creditMemoResponseSchema,
  creditMemoUpdateSchema,
  dataQueryJobResponseSchema,
  dataQueryRequestSchema,
  invoiceAdjustmentCreateSchema,
  invoiceAdjustmentRecordSchema,
  paymentCreateSchema,
  paymentResponseSchema,
  zoqlQueryMoreRequestSchema,
  zoqlQueryRequestSchema,
  zoqlQueryResponseSchema,
  accountRecordSchema,
  invoiceRecordSchema,
  paymentRecordSchema,
  PAYMENT_RUN_PAGE_SIZE,
  paymentRunListResponseSchema,
  type PaymentRun,
  type AccountRecord,
  type BulkCreditMemoItem,
  type CreditMemo,
  type CreditMemoUpdate,
  type DataQueryJob,
  type DataQueryRequest,
  type InvoiceAdjustmentCreate,
  type InvoiceAdjustmentRecord,
  type InvoiceRecord,
  type Payment,
  type PaymentCreate,
  type ZoqlPage,
  type ZoqlRecord,
} from './schemas';
import { TokenCache } from './token-cache';
import { normalizeTrackId } from './track-id';
import { ZuoraTransport, type TransportStats, type ZuoraRequestSpec } from './transport';
import { equalsAnyClauses, mixesAndWithOr } from './zoql';

export interface ZuoraClientOptions {
  /** e.g. https://rest.zuora.com or https://rest.apisandbox.zuora.com (no trailing path). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The tenant's concurrency budget; share one gate between every client of the same tenant. */
  gate?: RequestGate;
  /** Retries inside the client for retryable errors other than 429 (default 3); then the typed error is thrown. */
  maxRetries?: number;
  /**
   * 429s are retried inside the client while the waits they ask for (Retry-After, else backoff) add up to at most
   * this (default 60 s); a longer throttle is thrown as a retryable error carrying its Retry-After.
   */
  maxThrottleWaitMs?: number;
  backoff?: BackoffOptions;
  /** Refresh the token this long before it expires (default 60 s). */
  tokenRefreshSkewMs?: number;
  requestTimeoutMs?: number;
  maxRetryAfterMs?: number;
  /** Multi-entity tenants: sent as Zuora-Entity-Ids. */
  entityIds?: string;
  trackId?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface BulkCreditMemoFailure {
  id: string;
  objectIndex: number;
  code: string;
  category: number | undefined;
  message: string;
  retryable: boolean;
  processId?: string;
  reasons: Array<{ code: string; message: string }>;
}

export interface BulkCreditMemoResult {
  updated: CreditMemo[];
  failed: BulkCreditMemoFailure[];
}

export type CreateResult =
  | { index: number; success: true; id: string }
  | { index: number; success: false; code: string; category: number | undefined; message: string; retryable: boolean };

export interface WaitForDataQueryOptions {
  /** First poll interval (default 1 s); grows ×2 up to maxPollMs (default 30 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** Give up after this long (default: never; Temporal's activity timeout bounds it). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onPoll?: (job: DataQueryJob) => void;
}

export interface UnsyncedList {
  count: number;
  items: Array<{ id: string; number: string | undefined; integrationStatus: string | undefined }>;
  /** count > items.length: more exist than were listed. */
  truncated: boolean;
}

export interface UnsyncedBeforeUpgrade {
  invoiceItemAdjustments: UnsyncedList;
  negativeInvoices: UnsyncedList;
}

/** Everything the views made by `withTrackId` share: one token, one gate, one set of counters. */
interface Session {
  transport: ZuoraTransport;
  fetch: typeof fetch;
  requestTimeoutMs: number;
}

export class ZuoraClient {
  private readonly session: Session;
  private readonly trackId: string | undefined;

  constructor(options: ZuoraClientOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const now = options.now ?? Date.now;
    const gate = options.gate ?? new RequestGate({ maxInFlight: 10 });
    const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    const tokens = new TokenCache({
      baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      gate,
      fetch: fetchImpl,
      now,
      refreshSkewMs: options.tokenRefreshSkewMs ?? 60_000,
      requestTimeoutMs,
    });
    const transport = new ZuoraTransport({
      baseUrl,
      gate,
      tokens,
      fetch: fetchImpl,
      now,
      maxRetries: options.maxRetries ?? 3,
      maxThrottleWaitMs: options.maxThrottleWaitMs ?? 60_000,
      backoff: options.backoff ?? { baseMs: 250, maxMs: 20_000 },
      requestTimeoutMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      entityIds: options.entityIds,
    });
    this.session = { transport, fetch: fetchImpl, requestTimeoutMs };
    this.trackId = options.trackId === undefined ? undefined : normalizeTrackId(options.trackId);
  }

  /** A view that tags every request with `trackId` and shares this client's token cache, gate and counters. */
  withTrackId(trackId: string): ZuoraClient {
    const view = Object.create(ZuoraClient.prototype) as ZuoraClient;
    Object.assign(view, { session: this.session, trackId: normalizeTrackId(trackId) });
    return view;
  }

  /** Counters of the whole tenant session (all track-id views together). */
  stats(): TransportStats {
    return this.session.transport.stats();
  }

  // ---------------- credit memos ----------------

  getCreditMemo(key: string): Promise<CreditMemo> {
    return this.send({
      method: 'GET',
      path: `/v1/credit-memos/${encodeURIComponent(key)}`,
      schema: creditMemoResponseSchema,
      idempotent: true,
    });
  }

  updateCreditMemo(key: string, fields: CreditMemoUpdate): Promise<CreditMemo> {
    return this.send({
      method: 'PUT',
      path: `/v1/credit-memos/${encodeURIComponent(key)}`,
      body: checkRequest(creditMemoUpdateSchema, fields, 'credit memo update'),
      schema: creditMemoResponseSchema,
      idempotent: true, // PUT sets absolute values
    });
  }

  /**
   * Up to 50 memos in one call. Each memo is its own transaction, so the top-level `success` says little:
   * every item is read, and failures come back with their codes (`retryable` for lock contention and the like).
   */
  async bulkUpdateCreditMemos(memos: readonly BulkCreditMemoItem[]): Promise<BulkCreditMemoResult> {
    if (memos.length === 0) return { updated: [], failed: [] };
    if (memos.length > BULK_CREDIT_MEMO_LIMIT) {
      throw clientError(`bulk credit memo update takes at most ${BULK_CREDIT_MEMO_LIMIT} memos, got ${memos.length}`);
    }
    const body = checkRequest(bulkCreditMemoRequestSchema, { memos }, 'bulk credit memo update');
    const path = '/v1/credit-memos/bulk';
    const response = await this.send({
      method: 'PUT',
      path,
      body,
      schema: bulkCreditMemoResponseSchema,
      idempotent: true,
    });
    if (response.memos.length !== memos.length) {
      throw new ZuoraResponseShapeError(
        `bulk update answered ${response.memos.length} items for ${memos.length} memos sent`,
        { method: 'PUT', path },
      );
    }
    const result: BulkCreditMemoResult = { updated: [], failed: [] };
    response.memos.forEach((item, position) => {
      if (item.success) {
        const { success: _success, ...memo } = item;
        result.updated.push(memo);
        return;
      }
      const objectIndex = item.objectIndex ?? position;
      const reasons = item.reasons.map((r) => ({ code: String(r.code), message: r.message }));
      const first = reasons[0] ?? { code: 'UNKNOWN', message: 'no reason given' };
      result.failed.push({
        id: item.id ?? memos[objectIndex]?.id ?? '',
        objectIndex,
        code: first.code,
        category: ZuoraApiError.categoryOf(first.code),
        message: first.message,
        retryable: ZuoraApiError.isRetryableCode(first.code),
        processId: item.processId,
        reasons,
      });
    });
    return result;
  }

  /**
   * Whether the tenant has Invoice Settlement: a tenant without it refuses the credit memo endpoints.
   * INFERRED: Zuora does not document that error; we recognise a message saying Invoice Settlement (or credit
   * memos) is not enabled, as the emulator answers (code 50000045). Any other error is thrown, not read as "no".
   */
  async isInvoiceSettlementEnabled(): Promise<boolean> {
    try {
      await this.send({
        method: 'GET',
        path: '/v1/credit-memos',
        query: { pageSize: 1 },
        schema: creditMemoListResponseSchema,
        idempotent: true,
      });
      return true;
    } catch (error) {
      if (error instanceof ZuoraApiError && isFeatureNotEnabled(error)) return false;
      throw error;
    }
  }

  // ---------------- Data Query ----------------

  submitDataQuery(
    sql: string,
    options: Partial<Pick<DataQueryRequest, 'outputFormat' | 'compression' | 'readDeleted'>> = {},
  ): Promise<DataQueryJob> {
    const body = checkRequest(
      dataQueryRequestSchema,
      {
        query: sql,
        outputFormat: options.outputFormat ?? 'JSON',
        compression: options.compression ?? 'NONE',
        output: { target: 'S3' },
        readDeleted: options.readDeleted ?? false,
      },
      'data query',
    );
    // Submitting twice only costs a duplicate read-only job, so ambiguous failures may be retried.
    return this.send({
      method: 'POST',
      path: '/query/jobs',
      body,
      schema: dataQueryJobResponseSchema,
      idempotent: true,
    });
  }

  getDataQueryJob(jobId: string): Promise<DataQueryJob> {
    return this.send({
      method: 'GET',
      path: `/query/jobs/${encodeURIComponent(jobId)}`,
      schema: dataQueryJobResponseSchema,
      idempotent: true,
    });
  }

  /** Polls until the job is completed (returned) or failed/cancelled (thrown), with growing intervals. */
  async waitForDataQuery(jobId: string, options: WaitForDataQueryOptions = {}): Promise<DataQueryJob> {
    const { pollMs = 1000, maxPollMs = 30_000, timeoutMs, signal, onPoll } = options;
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (let interval = pollMs; ; interval = Math.min(maxPollMs, interval * 2)) {
      const job = await this.send({
        method: 'GET',
        path: `/query/jobs/${encodeURIComponent(jobId)}`,
        schema: dataQueryJobResponseSchema,
        idempotent: true,
        signal,
      });
      onPoll?.(job);
      if (job.queryStatus === 'completed') return job;
      if (job.queryStatus === 'failed' || job.queryStatus === 'cancelled') {
        throw new ZuoraApiError({
          httpStatus: 200,
          code: job.queryStatus === 'failed' ? 'DATA_QUERY_FAILED' : 'DATA_QUERY_CANCELLED',
          message: `Data Query job ${jobId} ${job.queryStatus}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
          // A failed job may be a transient Zuora problem (resubmitting can work); a cancelled one was cancelled.
          retryable: job.queryStatus === 'failed',
        });
      }
      if (Date.now() + interval > deadline) {
        throw new ZuoraApiError({
          httpStatus: 0,
          code: 'DATA_QUERY_TIMEOUT',
          message: `Data Query job ${jobId} still ${job.queryStatus} after ${timeoutMs} ms`,
          retryable: true,
        });
      }
      await sleep(interval, signal);
    }
  }

  /**
   * Streams a completed job's JSON Lines result file row by row, each row checked by `rowSchema`. The file is
   * a pre-signed URL: it is fetched without the bearer token (S3 refuses a second auth mechanism) and outside
   * the gate (it is not a Zuora API call). Stopping the iteration early aborts the download. `skipRows`: the rows
   * before it are passed over unread (not parsed, not checked).
   */
  async *streamDataQueryResult<S extends z.ZodType>(
    dataFileUrl: string,
    rowSchema: S,
    options: { signal?: AbortSignal; skipRows?: number } = {},
  ): AsyncGenerator<z.infer<S>> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const path = new URL(dataFileUrl).pathname;
    try {
      let response: Response;
      try {
        response = await this.session.fetch(dataFileUrl, { method: 'GET', signal });
      } catch (error) {
        throw resultFileNetworkError('download failed', error, path);
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => '');
        throw new ZuoraApiError({
          httpStatus: response.status,
          code: `HTTP_${response.status}`,
          message: `result file download failed: ${text.slice(0, 300)}`,
          method: 'GET',
          path,
          // An expired link (403) heals by fetching the job again; a missing file does not.
          retryable: response.status !== 404,
        });
      }
      try {
        const body = response.body as AsyncIterable<Uint8Array>;
        for await (const { line, value } of splitJsonLines(body, options.skipRows)) {
          const parsed = rowSchema.safeParse(value);
          if (!parsed.success) {
            throw new ZuoraResponseShapeError(`Result file line ${line}: ${parsed.error.message}`, {
              path,
              issues: parsed.error.issues,
            });
          }
          yield parsed.data;
        }
      } catch (error) {
        if (error instanceof SyntaxError) throw new ZuoraResponseShapeError(error.message, { path });
        if (error instanceof ZuoraResponseShapeError || signal.aborted) throw error;
        throw resultFileNetworkError('stream broke', error, path);
      }
    } finally {
      controller.abort(); // early break: stop the download instead of draining it
    }
  }

  // ---------------- ZOQL ----------------

  /** One page (≤ 2000 records) of a ZOQL action query. Records omit null fields, as Zuora does. */
  query(zoql: string, options: { batchSize?: number } = {}): Promise<ZoqlPage> {
    if (mixesAndWithOr(zoql)) {
      return Promise.reject(
        clientError(`ZOQL mixes 'and' with 'or' (grouping undocumented): split it into separate queries: ${zoql}`),
      );
    }
    const body = checkRequest(
      zoqlQueryRequestSchema,
      { queryString: zoql, conf: options.batchSize === undefined ? undefined : { batchSize: options.batchSize } },
      'ZOQL query',
    );
    return this.send({
      method: 'POST',
      path: '/v1/action/query',
      body,
      schema: zoqlQueryResponseSchema,
      idempotent: true,
    });
  }

  queryMore(queryLocator: string): Promise<ZoqlPage> {
    const body = checkRequest(zoqlQueryMoreRequestSchema, { queryLocator }, 'ZOQL queryMore');
    return this.send({
      method: 'POST',
      path: '/v1/action/queryMore',
      body,
      schema: zoqlQueryResponseSchema,
      idempotent: true,
    });
  }

  /** Every record of a ZOQL query, page by page (a queryMore cursor lives 15 minutes: consume promptly). */
  async *queryAll(zoql: string, options: { batchSize?: number } = {}): AsyncGenerator<ZoqlRecord> {
    let page = await this.query(zoql, { batchSize: options.batchSize ?? ZOQL_MAX_BATCH_SIZE });
    for (;;) {
      yield* page.records;
      if (page.done || !page.queryLocator) return;
      page = await this.queryMore(page.queryLocator);
    }
  }

  // ---------------- invoice adjustments ----------------

  /**
   * Creates one invoice adjustment. Not idempotent: an ambiguous failure (connection lost, 5xx) is not retried
   * here; the error stays retryable, and callers look the ReferenceId up before trying again. Goes through the
   * documented `/v1/action/create`: the CRUD object path `POST /v1/object/invoice-adjustment` is not in Zuora's
   * OpenAPI spec 2025-08-12 (docs/zuora.md §8).
   */
  async createInvoiceAdjustment(fields: InvoiceAdjustmentCreate): Promise<{ id: string }> {
    const [result] = await this.createInvoiceAdjustments([fields]);
    if (result?.success) return { id: result.id };
    throw new ZuoraApiError({
      httpStatus: 200,
      code: result?.code ?? 'UNKNOWN',
      message: result?.message ?? 'no result',
      method: 'POST',
      path: '/v1/action/create',
      retryable: result?.retryable ?? false,
    });
  }

  /** Up to 50 invoice adjustments in one `/v1/action/create`; one result per input, in order. */
  async createInvoiceAdjustments(list: readonly InvoiceAdjustmentCreate[]): Promise<CreateResult[]> {
    if (list.length === 0) return [];
    if (list.length > ACTION_CREATE_LIMIT) {
      throw clientError(`action/create takes at most ${ACTION_CREATE_LIMIT} objects, got ${list.length}`);
    }
    const objects = list.map((fields, i) =>
      checkRequest(invoiceAdjustmentCreateSchema, fields, `invoice adjustment #${i}`),
    );
    const path = '/v1/action/create';
    const results = await this.send({
      method: 'POST',
      path,
      body: checkRequest(actionCreateRequestSchema, { type: 'InvoiceAdjustment', objects }, 'action/create'),
      schema: actionCreateResponseSchema,
      idempotent: false,
    });
    if (results.length !== list.length) {
      throw new ZuoraResponseShapeError(`action/create answered ${results.length} results for ${list.length} objects`, {
        method: 'POST',
        path,
      });
    }
    return results.map((r, index): CreateResult => {
      if (r.Success) return { index, success: true, id: r.Id };
      const first = r.Errors[0] ?? { Code: 'UNKNOWN', Message: 'no reason given' };
      return {
        index,
        success: false,
        code: first.Code,
        category: ZuoraApiError.categoryOf(first.Code),
        message: r.Errors.map((e) => e.Message).join('; '),
        retryable: ZuoraApiError.isRetryableCode(first.Code),
      };
    });
  }

  /** Existing invoice adjustments with any of these ReferenceIds (190 `or`-ed conditions per query: no `in`). */
  async findInvoiceAdjustmentsByReferenceIds(
    referenceIds: readonly string[],
    fields: readonly string[] = ['Id', 'ReferenceId', 'InvoiceId', 'Amount', 'Type', 'Status'],
  ): Promise<InvoiceAdjustmentRecord[]> {
    const found: InvoiceAdjustmentRecord[] = [];
    const select = [...new Set(['Id', 'ReferenceId', ...fields])].join(', ');
    for (const where of equalsAnyClauses('ReferenceId', referenceIds)) {
      for await (const record of this.queryAll(`select ${select} from InvoiceAdjustment where ${where}`)) {
        found.push(parseRecord(invoiceAdjustmentRecordSchema, record, 'InvoiceAdjustment'));
      }
    }
    return found;
  }

  /** Accounts by Id (their Currency), for the payments the sync creates. */
  findAccountsByIds(ids: readonly string[]): Promise<AccountRecord[]> {
    return this.findByAnyOf('Account', 'Id, Currency', 'Id', ids, accountRecordSchema);
  }

  /** Invoices by IntegrationId__NS (the NetSuite internal id of the invoice they mirror). */
  findInvoicesByIntegrationIds(netsuiteIds: readonly string[]): Promise<InvoiceRecord[]> {
    return this.findByAnyOf('Invoice', 'Id, IntegrationId__NS', 'IntegrationId__NS', netsuiteIds, invoiceRecordSchema);
  }

  /** Payments already in Zuora for these NetSuite ids (IntegrationId__NS → payment Id), cancelled ones excluded. */
  async findPaymentsByIntegrationIds(netsuiteIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (netsuiteIds.length === 0) return found;
    const records = await this.findByAnyOf(
      'Payment',
      'Id, IntegrationId__NS, Status',
      'IntegrationId__NS',
      netsuiteIds,
      paymentRecordSchema,
    );
    for (const r of records) {
      if (!r.IntegrationId__NS || r.Status === 'Canceled' || r.Status === 'Cancelled' || r.Status === 'Error') continue;
      found.set(r.IntegrationId__NS, r.Id);
    }
    return found;
  }

  /** Records of `object` whose `field` equals any of `values` (190 `or`-ed conditions per query: no `in`). */
  private async findByAnyOf<S extends z.ZodType>(
    object: string,
    select: string,
    field: string,
    values: readonly string[],
    schema: S,
  ): Promise<z.infer<S>[]> {
    const out: z.infer<S>[] = [];
    for (const where of equalsAnyClauses(field, values)) {
      for await (const record of this.queryAll(`select ${select} from ${object} where ${where}`)) {
        out.push(parseRecord(schema, record, object));
      }
    }
    return out;
  }

  // ---------------- payments ----------------

  /**
   * Creates a payment under an Idempotency-Key, so retries (here or by Temporal) never create a second one.
   * 409 "same key still in progress" is retried; a replay answers the original payment (the docs disagree on
   * whether with 200 or 409, so a 409 carrying a successful payment body is accepted as the result).
   */
  createPayment(body: PaymentCreate, idempotencyKey: string): Promise<Payment> {
    if (idempotencyKey.length === 0 || idempotencyKey.length >= 255) {
      throw clientError('Idempotency-Key must be 1..254 characters');
    }
    return this.send({
      method: 'POST',
      path: '/v1/payments',
      body: checkRequest(paymentCreateSchema, body, 'payment'),
      headers: { 'Idempotency-Key': idempotencyKey },
      schema: paymentResponseSchema,
      idempotent: true,
      acceptStatus: (status, json) => status === 409 && paymentResponseSchema.safeParse(json).success,
    });
  }

  // ---------------- payment runs ----------------

  /** Every payment run with this status (the spec's `status` filter), page by page (docs/zuora.md §10). */
  async *listPaymentRuns(filter: { status: string }): AsyncGenerator<PaymentRun> {
    for (let page = 1; ; page++) {
      const answer = await this.send({
        method: 'GET',
        path: '/v1/payment-runs',
        query: { status: filter.status, pageSize: PAYMENT_RUN_PAGE_SIZE, page },
        schema: paymentRunListResponseSchema,
        idempotent: true,
      });
      yield* answer.paymentRuns;
      if (!answer.nextPage || answer.paymentRuns.length === 0) return;
    }
  }

  // ---------------- pre-upgrade checks ----------------

  /**
   * What must sync to NetSuite before IS is enabled (after it, these can no longer sync): invoice item
   * adjustments and negative invoices whose IntegrationStatus__NS is not `Sync Complete`. Whether `!=` matches a
   * null field is not documented (null fields are simply left out of records, docs/zuora.md §2), so `= null` is asked
   * for in a query of its own; and since ZOQL does not document how it groups `and` with `or`, no query mixes them:
   * each list is the union, by Id, of pure-`and` queries.
   */
  async findUnsyncedBeforeUpgrade(options: { limit?: number } = {}): Promise<UnsyncedBeforeUpgrade> {
    const limit = options.limit ?? 100;
    const notSynced = ["IntegrationStatus__NS != 'Sync Complete'", 'IntegrationStatus__NS = null'];
    return {
      invoiceItemAdjustments: await this.collectUnsynced(
        notSynced.map(
          (c) => `select Id, AdjustmentNumber, IntegrationStatus__NS from InvoiceItemAdjustment where ${c}`,
        ),
        'AdjustmentNumber',
        limit,
      ),
      negativeInvoices: await this.collectUnsynced(
        notSynced.map(
          (c) => `select Id, InvoiceNumber, Amount, IntegrationStatus__NS from Invoice where Amount < 0 and ${c}`,
        ),
        'InvoiceNumber',
        limit,
      ),
    };
  }

  /** The union by Id of the records of `queries`: a record two of them find is counted once. */
  private async collectUnsynced(queries: string[], numberField: string, limit: number): Promise<UnsyncedList> {
    const schema = z.looseObject({ Id: z.string(), IntegrationStatus__NS: z.string().optional() });
    const list: UnsyncedList = { count: 0, items: [], truncated: false };
    const seen = new Set<string>();
    for (const zoql of queries)
      for await (const record of this.queryAll(zoql)) {
        const r = parseRecord(schema, record, 'record');
        if (seen.has(r.Id)) continue;
        seen.add(r.Id);
        list.count++;
        if (list.items.length < limit) {
          const number = record[numberField];
          list.items.push({
            id: r.Id,
            number: typeof number === 'string' ? number : undefined,
            integrationStatus: r.IntegrationStatus__NS,
          });
        }
      }
    list.truncated = list.count > list.items.length;
    return list;
  }

  private send<S extends z.ZodType>(spec: ZuoraRequestSpec<S>): Promise<z.infer<S>> {
    return this.session.transport.request(spec, this.trackId);
  }
}

function checkRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw clientError(`invalid ${what}: ${parsed.error.message}`);
  return parsed.data;
}

function clientError(message: string): ZuoraApiError {
  return new ZuoraApiError({ httpStatus: 0, code: 'CLIENT_VALIDATION', message, retryable: false });
}

function parseRecord<S extends z.ZodType>(schema: S, record: ZoqlRecord, what: string): z.infer<S> {
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    throw new ZuoraResponseShapeError(`Unexpected ${what} record: ${parsed.error.message}`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

function isFeatureNotEnabled(error: ZuoraApiError): boolean {
  if (error.retryable || error.httpStatus === 401 || error.httpStatus === 403) return false;
  return error.reasons.some((r) =>
    /(invoice settlement|credit memo).*not (been )?enabled|not enabled.*invoice settlement/i.test(r.message),
  );
}

/** A result file that could not be read for a network reason (retryable, like every NETWORK_ERROR). */
function resultFileNetworkError(what: string, error: unknown, path: string): ZuoraApiError {
  return new ZuoraApiError({
    httpStatus: 0,
    code: 'NETWORK_ERROR',
    message: `result file ${what}: ${(error as Error).message}`,
    method: 'GET',
    path,
  });
}

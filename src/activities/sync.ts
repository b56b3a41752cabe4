// Activities of syncNetSuiteCreditMemos and syncNetSuitePayments.
//
// A run reads NetSuite candidates page by page (key-based: `id > cursor ORDER BY id`) inside one activity per chunk
// of pages; the activity heartbeats the cursor of the pages it has finished, so a retry after a killed worker starts
// there. Per-record data (ids, amounts, messages) stays here and in the run's report files; history only carries
// counts and the cursor.
//
// Never twice:
// - credit memos: NetSuite `Creating Invoice Adjustment` is written first; adjustments are created in batches of up
//   to 50 (`/v1/action/create`), each batch looked up by ReferenceId (one ZOQL query for the batch) right before it
//   is created, so an adjustment created by an attempt that crashed before NetSuite's write-back is found, not made
//   again. An ambiguous create failure (connection lost) is followed by a look-up, never by a blind re-create.
// - payments: `Creating Payment` first; the payment is looked up by IntegrationId__NS, then created under an
//   Idempotency-Key derived from the NetSuite internal id (the key covers retries within 24 h, the look-up after).
// NetSuite writes run at the account's concurrency limit (governanceLimits), Zuora calls are batched.
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { computeBackoff, sleep } from '../http/backoff';
import { RequestGate } from '../http/request-gate';
import type { NetSuiteClient, NetSuiteRecordType, PatchFields } from '../netsuite/client';
import { NetSuiteApiError } from '../netsuite/errors';
import { connectorFields, IntegrationStatus } from '../netsuite/fields';
import { creditMemoCandidatePages, paymentCandidatePages } from '../netsuite/queries';
import type { CreditMemoCandidate, PaymentCandidate } from '../netsuite/schemas';
import type { JsonLinesAppender, ReportStore } from '../reports/report-store';
import { IS_TENANT_ID } from '../shared/search-attributes';
import {
  SYNC_WORKFLOW_TYPES,
  WATERMARK_PATTERN,
  addTally,
  emptyTally,
  emptyUndecided,
  mergeUndecided,
  syncResultWatermarkSchema,
  undecidedSetSchema,
  type SyncKind,
  type SyncTally,
  type UndecidedSet,
} from '../shared/sync';
import type { ZuoraClient } from '../zuora/client';
import { ZuoraApiError, ZuoraResponseShapeError } from '../zuora/errors';
import { equalsAnyClauses } from '../zuora/zoql';
import { assertTenant, toActivityFailure, trackIdOf, whileHeartbeating, workflowIdOf } from './common';
import {
  CHANGEABLE_SKIP_REASONS,
  SkipReason,
  classifyCreditMemo,
  classifyPayment,
  reappliedAfterSync,
  paymentBody,
  paymentIdempotencyKey,
  type AdjustmentRequest,
  type CreditMemoPlan,
  type PaymentPlan,
} from './sync-rules';

export type SyncDeps = {
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  reports: ReportStore;
  /** Visibility: the previous completed run's result holds the watermark. */
  temporal: Client;
  tenantId: string;
};

/** Report of a credit memo sync run: one line per memo skipped as not fully applied (its internal id and number). */
export const NOT_FULLY_APPLIED_REPORT = 'credit-memos-not-fully-applied.jsonl';

/** `/v1/action/create` takes at most 50 objects. */
export const CREATE_BATCH_LIMIT = 50;
/** A batch waits at most this long for more adjustments before it is sent. */
const BATCH_WAIT_MS = 100;
/** Pages being processed at once: the next page is read and started while the last one finishes. */
const PAGES_IN_FLIGHT = 2;
/** Retries of a Zuora batch (look-up + create) after a retryable failure, inside one activity attempt. */
const BATCH_RETRIES = 6;
/** An item Zuora refused with a retryable code (lock contention, temporary) is tried this many more times. */
const ITEM_RETRIES = 3;
/** NetSuite's base concurrency of a standard account, when governanceLimits cannot be read. */
const DEFAULT_NETSUITE_CONCURRENCY = 5;
const HEARTBEAT_EVERY_MS = 2_000;
const NS_TIMESTAMP_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS'`;

// ---------------------------------------------------------------------------------------------------------------
// Shapes shared with the workflows (type-only imports there)

export type BeginSyncResult = {
  previousWatermark: string | null;
  /** Workflow id of the run the watermark came from. */
  previousRun: string | null;
  /** That run's undecided records (read again by id this run). Optional: results recorded before it lack it. */
  previousUndecided?: UndecidedSet;
  /**
   * The highest lastmodifieddate of the record type in NetSuite when this scan began (NetSuite's own clock and time
   * zone): every record modified later has a later (or, within the overlap, equal) value. null = no records.
   */
  scanMark: string | null;
};

export type SyncChunkInput = {
  tenantId: string;
  /** Inclusive lower bound on lastmodifieddate, `YYYY-MM-DDTHH:MM:SS`. */
  modifiedSince: string;
  cutoverDate?: string;
  /** Key-based cursor: read records with internal id greater than this. */
  startAfterId: number;
  maxPages: number;
  pageSize: number;
  dryRun: boolean;
  /** SyncDate written to Zuora and NetSuite; fixed per run so retried requests are identical. */
  syncDate: string;
  /** Internal ids read whatever their lastmodifieddate: the previous run's undecided records (≤ 1000). */
  recheckIds?: string[];
};

export type CreditMemoChunkInput = SyncChunkInput & { standard: boolean; negativeBalance: boolean };

export type SyncChunkResult = {
  /** No more candidates after `cursor`. */
  done: boolean;
  cursor: number;
  pages: number;
  tally: SyncTally;
  failuresReport: string;
  reconciliationReport: string | null;
  /** Credit memos: one line per memo skipped as not fully applied (its number), for the upgrade's final sync. */
  notFullyAppliedReport?: string | null;
  /** Records of this chunk that stay undecided (failed, unreadable, or skipped for a reason that can change). */
  undecided?: UndecidedSet;
  /** This attempt resumed from an earlier attempt's heartbeat. */
  resumed: boolean;
};

const chunkHeartbeatSchema = z.object({
  startAfterId: z.number().int().nonnegative(),
  cursor: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  tally: z.object({
    examined: z.number().int(),
    eligible: z.number().int(),
    created: z.number().int(),
    alreadyInZuora: z.number().int(),
    synced: z.number().int(),
    failed: z.number().int(),
    reconciliationNeeded: z.number().int(),
    skippedByReason: z.record(z.string(), z.number().int()),
  }),
  undecided: undecidedSetSchema,
});
type ChunkHeartbeat = z.infer<typeof chunkHeartbeatSchema>;

// ---------------------------------------------------------------------------------------------------------------

export function createSyncActivities({ zuora, netsuite, reports, temporal, tenantId }: SyncDeps) {
  const fields = connectorFields();

  /** The write concurrency NetSuite grants this integration (account-wide limit, shared with everything else). */
  let writeConcurrency: Promise<number> | undefined;
  const netsuiteWriteConcurrency = () =>
    (writeConcurrency ??= netsuite
      .getGovernanceLimits()
      .then((g) =>
        g.integrationLimitType === 'integrationSpecific' && g.integrationConcurrencyLimit
          ? g.integrationConcurrencyLimit
          : g.accountConcurrencyLimit,
      )
      .then((n) => (n >= 1 ? n : DEFAULT_NETSUITE_CONCURRENCY))
      .catch((err: unknown) => {
        writeConcurrency = undefined;
        log.warn('NetSuite governanceLimits not readable; using the standard account limit', {
          error: (err as Error).message,
        });
        return DEFAULT_NETSUITE_CONCURRENCY;
      }));

  return {
    /**
     * Where the previous run left off, and NetSuite's current high-water mark of lastmodifieddate.
     *
     * The watermark is kept in the result of the previous *completed* run of the same workflow type for the tenant,
     * found through Temporal visibility (`WorkflowType`, `ExecutionStatus`, search attribute `IsTenantId`). Dry
     * runs are passed over. Nothing else holds state: a failed or terminated run leaves the watermark where it was,
     * a backfill or the upgrade's final run counts like any other run, and a lost history (retention) only means a
     * run reads from the cutover again — safe, because every write is looked up first.
     */
    async beginSync(input: { tenantId: string; kind: SyncKind }): Promise<BeginSyncResult> {
      assertTenant(tenantId, input.tenantId);
      try {
        const [previous, scanMark] = await whileHeartbeating(() =>
          Promise.all([
            previousWatermark(temporal, SYNC_WORKFLOW_TYPES[input.kind], input.tenantId),
            highestLastModified(netsuite, input.kind === 'credit-memo' ? 'CustCred' : 'CustPymt'),
          ]),
        );
        return {
          previousWatermark: previous?.watermark ?? null,
          previousRun: previous?.workflowId ?? null,
          previousUndecided: previous?.undecided ?? emptyUndecided(),
          scanMark,
        };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** A chunk of credit memo pages: classify, create invoice adjustments, write back. */
    async syncCreditMemoChunk(input: CreditMemoChunkInput): Promise<SyncChunkResult> {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const client = zuora.withTrackId(trackIdOf(info));
      return runChunk<CreditMemoCandidate>({
        input,
        kind: 'credit-memo',
        reports,
        netsuite,
        workflowId: workflowIdOf(info),
        netsuiteWriteConcurrency,
        pages: (startAfterId) =>
          creditMemoCandidatePages(netsuite, {
            modifiedSince: input.modifiedSince,
            tranDateFrom: input.cutoverDate,
            pageSize: input.pageSize,
            startAfterId,
            recheckIds: input.recheckIds,
            fields,
          }),
        makePageProcessor: (ctx) => {
          const batcher = new AdjustmentBatcher(client, ctx.signal);
          return (page, tally, undecided) =>
            processCreditMemoPage(page, tally, undecided, { ...ctx, input, batcher, zuora: client, fields });
        },
      });
    },

    /** A chunk of payment pages: classify, create external payments, write back. */
    async syncPaymentChunk(input: SyncChunkInput): Promise<SyncChunkResult> {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const client = zuora.withTrackId(trackIdOf(info));
      return runChunk<PaymentCandidate>({
        input,
        kind: 'payment',
        reports,
        netsuite,
        workflowId: workflowIdOf(info),
        netsuiteWriteConcurrency,
        pages: (startAfterId) =>
          paymentCandidatePages(netsuite, {
            modifiedSince: input.modifiedSince,
            tranDateFrom: input.cutoverDate,
            pageSize: input.pageSize,
            startAfterId,
            recheckIds: input.recheckIds,
            fields,
          }),
        makePageProcessor: (ctx) => (page, tally) =>
          processPaymentPage(page, tally, { ...ctx, input, zuora: client, fields }),
      });
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

// ---------------------------------------------------------------------------------------------------------------
// Watermark

async function previousWatermark(
  temporal: Client,
  workflowType: string,
  tenantId: string,
): Promise<{ watermark: string | null; workflowId: string; undecided: UndecidedSet | undefined } | null> {
  const query =
    `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Completed' AND ` + `${IS_TENANT_ID.name} = '${tenantId}'`;
  const runs: Array<{ workflowId: string; runId: string; closedAt: number }> = [];
  // Visibility lists the most recently closed first; a few pages' worth is sorted again to be independent of that.
  for await (const wf of temporal.workflow.list({ query, pageSize: 50 })) {
    runs.push({ workflowId: wf.workflowId, runId: wf.runId, closedAt: wf.closeTime?.getTime() ?? 0 });
    if (runs.length >= 50) break;
  }
  runs.sort((a, b) => b.closedAt - a.closedAt);
  for (const run of runs.slice(0, 10)) {
    let result: unknown;
    try {
      result = await temporal.workflow.getHandle(run.workflowId, run.runId, { followRuns: false }).result();
    } catch (err) {
      log.warn('previous sync run result not readable', { workflowId: run.workflowId, error: (err as Error).message });
      continue;
    }
    const parsed = syncResultWatermarkSchema.safeParse(result);
    if (!parsed.success || parsed.data.dryRun) continue;
    return { watermark: parsed.data.newWatermark, workflowId: run.workflowId, undecided: parsed.data.undecided };
  }
  return null;
}

async function highestLastModified(netsuite: NetSuiteClient, type: 'CustCred' | 'CustPymt'): Promise<string | null> {
  const page = await netsuite.suiteql(
    `SELECT TO_CHAR(MAX(t.lastmodifieddate), ${NS_TIMESTAMP_FORMAT}) AS mark FROM transaction t WHERE t.type = '${type}'`,
    { limit: 1 },
  );
  const mark = z.object({ mark: z.string().regex(WATERMARK_PATTERN).optional() }).safeParse(page.items[0] ?? {});
  if (!mark.success) throw ApplicationFailure.nonRetryable(`unexpected lastmodifieddate mark: ${mark.error.message}`);
  return mark.data.mark ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// The page pipeline every chunk runs

type PageContext = {
  signal: AbortSignal;
  writeNetSuite: NetSuiteWriter;
  failures: JsonLinesAppender;
  reconciliation: JsonLinesAppender | null;
  notFullyApplied: JsonLinesAppender | null;
};
/** Processes one page: counts into `tally`, and pushes the records that stay undecided into `undecided`. */
type PageProcessor<C> = (page: C[], tally: SyncTally, undecided: UndecidedSet) => Promise<void>;

async function runChunk<C extends { id: string }>(o: {
  input: SyncChunkInput;
  kind: SyncKind;
  reports: ReportStore;
  netsuite: NetSuiteClient;
  workflowId: string;
  netsuiteWriteConcurrency: () => Promise<number>;
  pages: (startAfterId: number) => AsyncGenerator<C[], void, undefined>;
  makePageProcessor: (ctx: PageContext) => PageProcessor<C>;
}): Promise<SyncChunkResult> {
  const { input } = o;
  const info = activityInfo();
  const signal = cancellationSignal();
  const hb = chunkHeartbeatSchema.safeParse(info.heartbeatDetails);
  const resumed = hb.success && hb.data.startAfterId === input.startAfterId;
  const start: ChunkHeartbeat =
    resumed && hb.success
      ? hb.data
      : {
          startAfterId: input.startAfterId,
          cursor: input.startAfterId,
          pages: 0,
          tally: emptyTally(),
          undecided: emptyUndecided(),
        };

  // One report file per run: earlier chunks' lines (ids ≤ cursor) stay; lines of pages this attempt redoes go.
  const keepUpTo = (row: Record<string, unknown>) => Number(row.id) <= start.cursor;
  const failures = await o.reports.openJsonLines(
    o.reports.pathFor(o.workflowId, `${o.kind}-sync-failures.jsonl`),
    keepUpTo,
  );
  const reconciliation =
    o.kind === 'credit-memo'
      ? await o.reports.openJsonLines(o.reports.pathFor(o.workflowId, 'credit-memo-reconciliation.jsonl'), keepUpTo)
      : null;
  const notFullyApplied =
    o.kind === 'credit-memo'
      ? await o.reports.openJsonLines(o.reports.pathFor(o.workflowId, NOT_FULLY_APPLIED_REPORT), keepUpTo)
      : null;

  let committed = { cursor: start.cursor, pages: start.pages, tally: start.tally, undecided: start.undecided };
  const beat = () => heartbeat({ startAfterId: input.startAfterId, ...committed } satisfies ChunkHeartbeat);
  const ticker = setInterval(beat, HEARTBEAT_EVERY_MS);

  try {
    const gate = new RequestGate({ maxInFlight: await o.netsuiteWriteConcurrency() });
    const processPage = o.makePageProcessor({
      signal,
      writeNetSuite: netSuiteWriter(o.netsuite, gate, signal),
      failures,
      reconciliation,
      notFullyApplied,
    });

    // Pages finish out of order; the cursor only moves over pages finished in order (what a retry may skip).
    const finished = new Map<number, { lastId: number; tally: SyncTally; undecided: UndecidedSet }>();
    const inFlight = new Map<number, Promise<void>>();
    let nextToCommit = 0;
    let dispatched = 0;
    let firstError: unknown;
    let exhausted = true;

    const advance = () => {
      for (let f = finished.get(nextToCommit); f; f = finished.get(nextToCommit)) {
        finished.delete(nextToCommit);
        nextToCommit++;
        committed = {
          cursor: f.lastId,
          pages: committed.pages + 1,
          tally: addTally(committed.tally, f.tally),
          undecided: mergeUndecided(committed.undecided, f.undecided),
        };
      }
      beat();
    };

    for await (const page of o.pages(committed.cursor)) {
      if (page.length === 0) continue;
      const seq = dispatched++;
      const lastId = Number(page[page.length - 1]!.id);
      const tally = emptyTally();
      const undecided = emptyUndecided();
      const p = processPage(page, tally, undecided)
        .then(() => {
          finished.set(seq, { lastId, tally, undecided });
          advance();
        })
        .catch((err: unknown) => {
          firstError ??= err;
        })
        .finally(() => inFlight.delete(seq));
      inFlight.set(seq, p);
      while (inFlight.size >= PAGES_IN_FLIGHT && !firstError) await Promise.race(inFlight.values());
      if (firstError || signal.aborted || dispatched >= input.maxPages) {
        exhausted = false;
        break;
      }
    }
    await Promise.all(inFlight.values());
    if (firstError) throw firstError;
    if (signal.aborted) throw ApplicationFailure.retryable('sync chunk cancelled', 'Cancelled');
    beat();
    return {
      // A chunk that stopped at maxPages does not know whether more follow: the next chunk finds out.
      done: exhausted,
      cursor: committed.cursor,
      pages: committed.pages,
      tally: committed.tally,
      failuresReport: failures.path,
      reconciliationReport: reconciliation?.path ?? null,
      notFullyAppliedReport: notFullyApplied?.path ?? null,
      undecided: committed.undecided,
      resumed,
    };
  } catch (err) {
    log.warn('sync chunk failed; a retry resumes after the last finished page', {
      kind: o.kind,
      cursor: committed.cursor,
      error: (err as Error).message,
    });
    throw toActivityFailure(err);
  } finally {
    clearInterval(ticker);
    await failures.close();
    await reconciliation?.close();
    await notFullyApplied?.close();
  }
}

/** Runs every task; rethrows the first infrastructure error only after all have settled (no stray writes). */
async function settleAll(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw ApplicationFailure.retryable('sync chunk cancelled', 'Cancelled');
}

const bump = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

// ---------------------------------------------------------------------------------------------------------------
// NetSuite writes

/** `ok: false` = NetSuite refused this record's write for good (4xx); transient failures throw. */
type NetSuiteWriter = (
  type: NetSuiteRecordType,
  id: string,
  fields: PatchFields,
) => Promise<{ ok: true } | { ok: false; message: string; status: number }>;

function netSuiteWriter(netsuite: NetSuiteClient, gate: RequestGate, signal: AbortSignal): NetSuiteWriter {
  return async (type, id, patch) => {
    throwIfAborted(signal);
    try {
      await gate.run(() => netsuite.patchRecord(type, id, patch));
      return { ok: true };
    } catch (err) {
      // A record NetSuite refuses (400 invalid content, 404 deleted, …) fails alone; authentication, throttling and
      // server errors are the account's problem: the chunk fails and Temporal retries it.
      if (err instanceof NetSuiteApiError && !err.retryable && isRecordRefusal(err.httpStatus)) {
        return { ok: false, message: err.message, status: err.httpStatus };
      }
      throw err;
    }
  };
}

const isRecordRefusal = (status: number) =>
  status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429;

/**
 * Integration Status `Error` with the message. If the account lacks the message field (a 400 naming it), the status
 * is written alone: the message is in the run's failure report either way.
 */
async function writeError(
  write: NetSuiteWriter,
  type: NetSuiteRecordType,
  id: string,
  message: string,
  f: ReturnType<typeof connectorFields>,
): Promise<void> {
  const text = message.length <= 300 ? message : `${message.slice(0, 299)}…`;
  const withMessage = await write(type, id, { [f.integrationStatus]: IntegrationStatus.error, [f.syncError]: text });
  if (!withMessage.ok && withMessage.status === 400) {
    const plain = await write(type, id, { [f.integrationStatus]: IntegrationStatus.error });
    if (!plain.ok) log.warn('could not mark NetSuite record Error', { type, id, error: plain.message });
  } else if (!withMessage.ok) {
    log.warn('could not mark NetSuite record Error', { type, id, error: withMessage.message });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Credit memos

type CreditMemoPageContext = PageContext & {
  input: CreditMemoChunkInput;
  batcher: AdjustmentBatcher;
  zuora: ZuoraClient;
  fields: ReturnType<typeof connectorFields>;
};

async function processCreditMemoPage(
  page: CreditMemoCandidate[],
  tally: SyncTally,
  undecided: UndecidedSet,
  ctx: CreditMemoPageContext,
) {
  const plans: CreditMemoPlan[] = [];
  const synced: CreditMemoCandidate[] = [];
  const keep = (memo: CreditMemoCandidate) => undecided.records.push({ id: memo.id, lastModified: memo.lastModified });
  for (const memo of page) {
    tally.examined++;
    const d = classifyCreditMemo(memo, {
      standard: ctx.input.standard,
      negativeBalance: ctx.input.negativeBalance,
      syncDate: ctx.input.syncDate,
    });
    if (d.kind === 'undecidable') {
      // An error, never a silent skip: reported, counted as failed, and read again next run.
      tally.failed++;
      ctx.failures.append({ id: memo.id, tranId: memo.tranId, message: d.message });
      keep(memo);
      continue;
    }
    if (d.kind === 'skip') {
      bump(tally.skippedByReason, d.reason);
      if (d.reconcile && ctx.reconciliation) {
        tally.reconciliationNeeded++;
        ctx.reconciliation.append(d.reconcile);
      }
      if (CHANGEABLE_SKIP_REASONS.has(d.reason)) keep(memo);
      if (d.reason === SkipReason.notFullyApplied) {
        ctx.notFullyApplied?.append({ id: memo.id, tranId: memo.tranId, amountRemaining: memo.amountRemaining });
      }
      if (d.reason === SkipReason.alreadySyncComplete && !d.reconcile && memo.zuoraType === null) synced.push(memo);
      continue;
    }
    tally.eligible++;
    plans.push(d.plan);
  }
  await checkReappliedAfterSync(synced, tally, ctx);
  if (ctx.input.dryRun) return;
  const failed = new Set<string>();
  await settleAll(plans.map((plan) => syncCreditMemo(plan, tally, ctx, failed)));
  // A failed memo is read again next run even if no write could mark it (its Error write-back may have failed too).
  for (const memo of page) if (failed.has(memo.id)) keep(memo);
}

/**
 * Standard memos already Sync Complete with nothing remaining: their live Credit adjustments in Zuora (ReferenceId =
 * internal id) must credit the invoice they are applied to now; otherwise they were re-applied after the sync and go
 * to the reconciliation report with both invoices. One batched ZOQL look-up per page.
 */
async function checkReappliedAfterSync(memos: CreditMemoCandidate[], tally: SyncTally, ctx: CreditMemoPageContext) {
  if (memos.length === 0 || !ctx.reconciliation) return;
  const records = await ctx.zuora.findInvoiceAdjustmentsByReferenceIds(
    memos.map((m) => m.id),
    ['Id', 'ReferenceId', 'InvoiceId', 'Type', 'Status'],
  );
  const invoicesOf = new Map<string, string[]>();
  for (const r of records) {
    if (!r.ReferenceId || !r.InvoiceId || r.Type === 'Charge') continue;
    if (r.Status === 'Canceled' || r.Status === 'Cancelled') continue;
    invoicesOf.set(r.ReferenceId, [...(invoicesOf.get(r.ReferenceId) ?? []), r.InvoiceId]);
  }
  for (const memo of memos) {
    const entry = reappliedAfterSync(memo, invoicesOf.get(memo.id) ?? []);
    if (!entry) continue;
    tally.reconciliationNeeded++;
    ctx.reconciliation.append(entry);
  }
}

async function syncCreditMemo(
  plan: CreditMemoPlan,
  tally: SyncTally,
  ctx: CreditMemoPageContext,
  failedIds: Set<string>,
): Promise<void> {
  const f = ctx.fields;
  const fail = async (message: string, extra: Record<string, unknown> = {}) => {
    tally.failed++;
    failedIds.add(plan.id);
    ctx.failures.append({ id: plan.id, tranId: plan.tranId, kind: plan.kind, message, ...extra });
    await writeError(ctx.writeNetSuite, 'creditMemo', plan.id, message, f);
  };

  if (plan.integrationStatus !== IntegrationStatus.creatingInvoiceAdjustment) {
    const marked = await ctx.writeNetSuite('creditMemo', plan.id, {
      [f.integrationStatus]: IntegrationStatus.creatingInvoiceAdjustment,
    });
    if (!marked.ok) {
      tally.failed++;
      failedIds.add(plan.id);
      ctx.failures.append({
        id: plan.id,
        tranId: plan.tranId,
        kind: plan.kind,
        message: `NetSuite: ${marked.message}`,
      });
      return;
    }
  }

  const outcomes = await Promise.all(plan.adjustments.map((a) => ctx.batcher.submit(a)));
  throwIfAborted(ctx.signal);
  tally.created += outcomes.filter((o) => o.ok && !o.existed).length;
  const refused = outcomes.flatMap((o, i) => (o.ok ? [] : [{ referenceId: plan.adjustments[i]!.referenceId, ...o }]));
  if (refused.length > 0) {
    const message = refused.map((r) => `${r.referenceId}: ${r.message}`).join('; ');
    await fail(message, {
      refused: refused.map((r) => ({ referenceId: r.referenceId, code: r.code, message: r.message })),
    });
    return;
  }
  if (outcomes.every((o) => o.ok && o.existed)) tally.alreadyInZuora++;

  const first = outcomes[0];
  const patch: PatchFields = {
    [f.integrationStatus]: IntegrationStatus.syncComplete,
    [f.syncDate]: ctx.input.syncDate,
  };
  if (plan.writeBackZuoraId && first?.ok) patch[f.zuoraId] = first.id;
  if (plan.integrationStatus === IntegrationStatus.error) patch[f.syncError] = null;
  const written = await ctx.writeNetSuite('creditMemo', plan.id, patch);
  if (!written.ok) {
    // Zuora has the adjustment(s); the next run finds them by ReferenceId and writes back again.
    tally.failed++;
    failedIds.add(plan.id);
    ctx.failures.append({
      id: plan.id,
      tranId: plan.tranId,
      kind: plan.kind,
      message: `created in Zuora, but NetSuite refused the write-back: ${written.message}`,
    });
    return;
  }
  tally.synced++;
}

type AdjustmentOutcome = { ok: true; id: string; existed: boolean } | { ok: false; code: string; message: string };
type QueuedAdjustment = {
  request: AdjustmentRequest;
  resolve: (o: AdjustmentOutcome) => void;
  reject: (err: unknown) => void;
  /** A create was sent for it: found afterwards means created by this run, not earlier. */
  attempted: boolean;
  itemRetries: number;
};

/**
 * Collects adjustments from concurrent credit memos into batches of up to 50. Each batch: one ZOQL look-up by
 * ReferenceId (matching invoice and type, not cancelled), then one `/v1/action/create` for what is missing.
 */
class AdjustmentBatcher {
  private queue: QueuedAdjustment[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly zuora: ZuoraClient,
    private readonly signal: AbortSignal,
  ) {}

  submit(request: AdjustmentRequest): Promise<AdjustmentOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject, attempted: false, itemRetries: 0 });
      if (this.queue.length >= CREATE_BATCH_LIMIT) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) void this.resolveBatch(this.queue.splice(0, CREATE_BATCH_LIMIT));
  }

  private async resolveBatch(items: QueuedAdjustment[]): Promise<void> {
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        throwIfAborted(this.signal);
        const found = await this.lookUp(pending.map((i) => i.request));
        pending = pending.filter((item) => {
          const id = found.get(item.request.referenceId);
          if (id === undefined) return true;
          item.resolve({ ok: true, id, existed: !item.attempted });
          return false;
        });
        if (pending.length === 0) return;
        for (const item of pending) item.attempted = true;
        const results = await this.zuora.createInvoiceAdjustments(pending.map((i) => i.request.body));
        const again: QueuedAdjustment[] = [];
        results.forEach((r, index) => {
          const item = pending[index]!;
          if (r.success) item.resolve({ ok: true, id: r.id, existed: false });
          else if (r.retryable && item.itemRetries++ < ITEM_RETRIES) again.push(item);
          else item.resolve({ ok: false, code: r.code, message: r.message });
        });
        pending = again;
      } catch (err) {
        // Ambiguous or transient (connection lost, 5xx, 429 after the client's own retries, a garbled answer):
        // Zuora may have created some of the batch. The next round looks them up before creating the rest.
        const transient = (err instanceof ZuoraApiError && err.retryable) || err instanceof ZuoraResponseShapeError;
        if (!transient || attempt >= BATCH_RETRIES || this.signal.aborted) {
          for (const item of pending) item.reject(err);
          return;
        }
      }
      if (pending.length > 0) {
        try {
          await sleep(computeBackoff(attempt, { baseMs: 250, maxMs: 5_000 }), this.signal);
        } catch (err) {
          for (const item of pending) item.reject(err);
          return;
        }
      }
    }
  }

  /** ReferenceId → adjustment id, for adjustments that are this request (same invoice and type) and not cancelled. */
  private async lookUp(requests: AdjustmentRequest[]): Promise<Map<string, string>> {
    const records = await this.zuora.findInvoiceAdjustmentsByReferenceIds(
      requests.map((r) => r.referenceId),
      ['Id', 'ReferenceId', 'InvoiceId', 'Type', 'Status'],
    );
    const byRef = new Map(requests.map((r) => [r.referenceId, r]));
    const found = new Map<string, string>();
    for (const rec of records) {
      const req = rec.ReferenceId === undefined ? undefined : byRef.get(rec.ReferenceId);
      if (!req || rec.Status === 'Canceled' || rec.Status === 'Cancelled') continue;
      if (rec.InvoiceId !== undefined && rec.InvoiceId !== req.body.InvoiceId) continue;
      if (rec.Type !== undefined && rec.Type !== req.body.Type) continue;
      found.set(req.referenceId, rec.Id);
    }
    return found;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Payments

type PaymentPageContext = PageContext & {
  input: SyncChunkInput;
  zuora: ZuoraClient;
  fields: ReturnType<typeof connectorFields>;
};

const zoqlIdSchema = z.looseObject({ Id: z.string() });

async function zoqlByValues<T>(
  zuora: ZuoraClient,
  object: string,
  select: string,
  field: string,
  values: string[],
  schema: z.ZodType<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (const where of equalsAnyClauses(field, values)) {
    for await (const record of zuora.queryAll(`select ${select} from ${object} where ${where}`)) {
      const parsed = schema.safeParse(record);
      if (!parsed.success)
        throw new ZuoraResponseShapeError(`unexpected ${object} record: ${parsed.error.message}`, {});
      out.push(parsed.data);
    }
  }
  return out;
}

const paymentRecordSchema = zoqlIdSchema.extend({
  IntegrationId__NS: z.string().optional(),
  Status: z.string().optional(),
});
const accountRecordSchema = zoqlIdSchema.extend({ Currency: z.string().optional() });
const invoiceRecordSchema = zoqlIdSchema.extend({ IntegrationId__NS: z.string().optional() });

/** Payments already in Zuora for these NetSuite ids (IntegrationId__NS), cancelled ones excluded. */
async function existingPayments(zuora: ZuoraClient, netsuiteIds: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (netsuiteIds.length === 0) return found;
  const records = await zoqlByValues(
    zuora,
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

async function processPaymentPage(page: PaymentCandidate[], tally: SyncTally, ctx: PaymentPageContext) {
  const plans: PaymentPlan[] = [];
  for (const payment of page) {
    tally.examined++;
    const d = classifyPayment(payment);
    if (d.kind === 'skip') {
      bump(tally.skippedByReason, d.reason);
      continue;
    }
    tally.eligible++;
    plans.push(d.plan);
  }
  if (ctx.input.dryRun || plans.length === 0) return;

  // Batched look-ups for the page: existing payments, account currencies, applied invoices by IntegrationId__NS.
  const netsuiteInvoiceIds = [...new Set(plans.flatMap((p) => p.invoices.map((i) => i.netsuiteId)))];
  const [existing, accounts, invoicesByIntegrationId] = await Promise.all([
    existingPayments(
      ctx.zuora,
      plans.map((p) => p.id),
    ),
    zoqlByValues(
      ctx.zuora,
      'Account',
      'Id, Currency',
      'Id',
      [...new Set(plans.map((p) => p.accountId))],
      accountRecordSchema,
    ),
    netsuiteInvoiceIds.length === 0
      ? Promise.resolve([])
      : zoqlByValues(
          ctx.zuora,
          'Invoice',
          'Id, IntegrationId__NS',
          'IntegrationId__NS',
          netsuiteInvoiceIds,
          invoiceRecordSchema,
        ),
  ]);
  const currencyOf = new Map(accounts.map((a) => [a.Id, a.Currency]));
  const invoiceIds = new Map<string, string>();
  for (const inv of invoicesByIntegrationId) if (inv.IntegrationId__NS) invoiceIds.set(inv.IntegrationId__NS, inv.Id);
  await settleAll(plans.map((plan) => syncPayment(plan, tally, ctx, { existing, currencyOf, invoiceIds })));
}

async function syncPayment(
  plan: PaymentPlan,
  tally: SyncTally,
  ctx: PaymentPageContext,
  found: {
    existing: Map<string, string>;
    currencyOf: Map<string, string | undefined>;
    invoiceIds: Map<string, string>;
  },
): Promise<void> {
  const f = ctx.fields;
  const fail = async (message: string, extra: Record<string, unknown> = {}) => {
    tally.failed++;
    ctx.failures.append({ id: plan.id, tranId: plan.tranId, message, ...extra });
    await writeError(ctx.writeNetSuite, 'customerPayment', plan.id, message, f);
  };

  let zuoraId = found.existing.get(plan.id);
  if (zuoraId === undefined) {
    if (!found.currencyOf.has(plan.accountId)) return fail(`Zuora account ${plan.accountId} was not found`);
    const missing = plan.invoices.filter((i) => !found.invoiceIds.has(i.netsuiteId));
    if (missing.length > 0) {
      return fail(
        `applied invoice(s) ${missing.map((m) => m.tranId ?? m.netsuiteId).join(', ')} not found in Zuora by IntegrationId__NS`,
      );
    }
  }

  if (plan.integrationStatus !== IntegrationStatus.creatingPayment) {
    const marked = await ctx.writeNetSuite('customerPayment', plan.id, {
      [f.integrationStatus]: IntegrationStatus.creatingPayment,
    });
    if (!marked.ok) {
      tally.failed++;
      ctx.failures.append({ id: plan.id, tranId: plan.tranId, message: `NetSuite: ${marked.message}` });
      return;
    }
  }

  if (zuoraId !== undefined) {
    tally.alreadyInZuora++;
  } else {
    const body = paymentBody(plan, found.currencyOf.get(plan.accountId) ?? 'USD', found.invoiceIds, ctx.input.syncDate);
    const created = await createPaymentOnce(ctx.zuora, plan, body, ctx.input.syncDate);
    throwIfAborted(ctx.signal);
    if (!created.ok) return fail(created.message, { code: created.code });
    zuoraId = created.id;
    if (created.existed) tally.alreadyInZuora++;
    else tally.created++;
  }

  const patch: PatchFields = {
    [f.zuoraId]: zuoraId,
    [f.integrationStatus]: IntegrationStatus.syncComplete,
    [f.syncDate]: ctx.input.syncDate,
    [f.origin]: 'NETSUITE',
  };
  if (plan.integrationStatus === IntegrationStatus.error) patch[f.syncError] = null;
  const written = await ctx.writeNetSuite('customerPayment', plan.id, patch);
  if (!written.ok) {
    tally.failed++;
    ctx.failures.append({
      id: plan.id,
      tranId: plan.tranId,
      message: `created in Zuora (${zuoraId}), but NetSuite refused the write-back: ${written.message}`,
    });
    return;
  }
  tally.synced++;
}

/**
 * POST /v1/payments under `ns-payment-<internalId>`: the client retries transient failures with the same key, so
 * Zuora answers a repeat with the first payment. A 422 means the key was used with another body (an earlier run's
 * attempt, whose SyncDate differed): if that attempt made no payment (look-up by IntegrationId__NS), a run-scoped
 * key is used instead — still stable across this run's retries.
 */
async function createPaymentOnce(
  zuora: ZuoraClient,
  plan: PaymentPlan,
  body: ReturnType<typeof paymentBody>,
  syncDate: string,
): Promise<{ ok: true; id: string; existed: boolean } | { ok: false; code: string; message: string }> {
  const refusal = (err: ZuoraApiError) => ({
    ok: false as const,
    code: err.code,
    message: err.reasons.map((r) => r.message).join('; ') || err.message,
  });
  try {
    const payment = await zuora.createPayment(body, paymentIdempotencyKey(plan.id));
    return { ok: true, id: payment.id, existed: false };
  } catch (err) {
    if (!(err instanceof ZuoraApiError) || err.retryable) throw err;
    if (err.httpStatus !== 422) return refusal(err);
  }
  const again = await existingPayments(zuora, [plan.id]);
  const id = again.get(plan.id);
  if (id !== undefined) return { ok: true, id, existed: true };
  try {
    const payment = await zuora.createPayment(body, `${paymentIdempotencyKey(plan.id)}-${syncDate.replace(/\D/g, '')}`);
    return { ok: true, id: payment.id, existed: false };
  } catch (err) {
    if (!(err instanceof ZuoraApiError) || err.retryable) throw err;
    return refusal(err);
  }
}

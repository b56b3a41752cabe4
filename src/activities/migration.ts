// Activities of migrateCreditMemos. The memo ids flow from Zuora's Data Query result file straight into bulk
// updates, streamed: worker memory does not grow with N, and no per-memo data enters workflow history.
import { Context, activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { RequestGate } from '../http/request-gate';
import type { ReportStore } from '../reports/report-store';
import { FailureType } from '../shared/failures';
import type { BreakerOptions } from '../shared/migration-breaker';
import {
  MIGRATED_CREDIT_MEMOS_BY_TRANSFER_QUERY,
  REMAINING_MIGRATED_CREDIT_MEMOS_QUERY,
  type TransferCount,
} from '../shared/migration';
import type { ZuoraClient } from '../zuora/client';
import { ZuoraApiError } from '../zuora/errors';
import { assertTenant, trackIdOf, whileHeartbeating, withActivityFailures, workflowIdOf } from './common';
import { ChunkBreaker, ControlWatcher } from './migration-control';
import { ManifestPart } from './manifest';
import { currentLease, leasedActivities, type TenantLeases } from './tenant-lease';

/** Zuora's bulk credit memo update takes at most 50 memos a request. */
export const BULK_LIMIT = 50;
/**
 * Batches a chunk keeps dispatched per request slot: one sent, one more waiting for the slot with its intent on disk.
 */
const BATCHES_AHEAD = 2;
/** A memo refused with a retryable code (lock contention, temporary) is tried again this many times, then reported. */
const ITEM_RETRIES = 3;
/**
 * INFERRED (docs/zuora.md §2): how long a result file's pre-signed link stays valid is undocumented, so a chunk
 * fetches the job again for a fresh link — unless this worker fetched it this recently (the query that just finished,
 * or the chunk before): that GET was a full Zuora round trip at the start of every chunk, with nothing else to do
 * meanwhile. A reused link that is refused (403, as S3 answers an expired one) is fetched again at once.
 */
export const LINK_REUSE_MS = 60_000;

/** The result links this worker fetched lately, per job (a few: one migration runs per tenant). */
export class RecentLinks {
  private readonly byJob = new Map<string, { dataFile: string; outputRows: number | null; at: number }>();
  constructor(
    private readonly now: () => number = Date.now,
    private readonly reuseMs = LINK_REUSE_MS,
  ) {}

  remember(job: { id: string; dataFile?: string | null; outputRows?: number | null }): void {
    if (!job.dataFile) return;
    this.byJob.delete(job.id);
    this.byJob.set(job.id, { dataFile: job.dataFile, outputRows: job.outputRows ?? null, at: this.now() });
    for (const k of this.byJob.keys()) {
      if (this.byJob.size <= 8) break;
      this.byJob.delete(k); // the oldest first
    }
  }

  /** The link of `jobId` if fetched less than reuseMs ago. */
  recent(jobId: string): { dataFile: string; outputRows: number | null } | undefined {
    const l = this.byJob.get(jobId);
    return l && this.now() - l.at < this.reuseMs ? l : undefined;
  }

  forget(jobId: string): void {
    this.byJob.delete(jobId);
  }
}

/** First Data Query poll (then ×2 up to 30 s): small queries finish in well under a second. */
const DATA_QUERY_FIRST_POLL_MS = 250;

const memoRowSchema = z
  .object({ id: z.string().min(1), memonumber: z.string().optional(), transferredtoaccounting: z.string().nullish() })
  .passthrough();
/** `before`: Transferred To Accounting as the query found it, for the manifest (a CSV export's empty cell is null). */
type MemoRow = { row: number; id: string; number?: string; before?: string | null };

/** A row of the count by Transferred To Accounting. A null group may come with the field null or left out; a
 * count may come as a number or as digits (CSV-minded exporters), so both are read. */
const transferCountRowSchema = z.object({
  transferredtoaccounting: z.string().nullish(),
  memos: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]),
});

const chunkHeartbeatSchema = z.object({
  jobId: z.string(),
  doneRow: z.number().int().nonnegative(),
  /** End of this chunk in that job's rows: endRow - doneRow is what the chunk still had to do. */
  endRow: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
type ChunkHeartbeat = z.infer<typeof chunkHeartbeatSchema>;

export type MigrationDeps = {
  zuora: ZuoraClient;
  reports: ReportStore;
  tenantId: string;
  /** Reads the migration's control (pause, concurrency) from its workflow; without it, the worker's own client. */
  temporal?: Client;
  /** The tenant budget (issue 15 §2): the chunks and queries hold a lease of the tenant's Zuora slots. */
  leases?: TenantLeases;
};

export type ChunkResult = {
  /** The query result the pass goes on with: the same job, or a fresh one after a resume. */
  jobId: string;
  /** Rows in that job, and the first row of it not yet handled. */
  jobRows: number;
  nextRow: number;
  rowsRead: number;
  updated: number;
  failed: number;
  /** Requests the client retried (429/5xx/lock) during this activity run. */
  retries: number;
  throttledMs: number;
  failuresReport: string | null;
  /** true when this run resumed from an earlier attempt's heartbeat. */
  resumed: boolean;
  /** Set when the chunk stopped early, at `nextRow`: the operator paused the migration, or the breaker tripped. */
  stoppedBy?: 'pause' | 'breaker';
  breakerReason?: string;
};

/** What a controllable migration (migrate-credit-memos.ts, MIGRATION_CONTROL_PATCH) tells its chunks. */
export type ChunkControl = {
  /** null: the breaker is off. */
  breaker: BreakerOptions | null;
  /** Start from a fresh "what is left" query (after a long pause the old result file may be gone). */
  freshQuery?: boolean;
};

/** The verification query (shared/migration.ts): a handful of rows, one per Transferred To Accounting value. */
async function countByTransferredToAccounting(client: ZuoraClient, signal: AbortSignal): Promise<TransferCount[]> {
  const jobId = (await client.submitDataQuery(MIGRATED_CREDIT_MEMOS_BY_TRANSFER_QUERY)).id;
  const job = await client.waitForDataQuery(jobId, {
    pollMs: DATA_QUERY_FIRST_POLL_MS,
    signal,
  });
  if (!job.dataFile) {
    throw ApplicationFailure.nonRetryable(`Data Query job ${jobId} has no result file`, FailureType.DataQueryNoResult);
  }
  const counts: TransferCount[] = [];
  for await (const row of client.streamDataQueryResult(job.dataFile, transferCountRowSchema, { signal })) {
    counts.push({ transferredToAccounting: row.transferredtoaccounting ?? null, memos: row.memos });
  }
  log.info('migrated credit memos counted by Transferred To Accounting', { jobId, counts });
  return counts;
}

export function createMigrationActivities({ zuora, reports, tenantId, temporal, leases }: MigrationDeps) {
  const links = new RecentLinks();
  /** The job's result link and rows: one fetched lately by this worker, else the job fetched now. */
  const resultLink = async (client: ZuoraClient, jobId: string, reuse: boolean) => {
    const recent = reuse ? links.recent(jobId) : undefined;
    if (recent) return { ...recent, reused: true };
    const job = await client.getDataQueryJob(jobId);
    if (!job.dataFile) {
      throw ApplicationFailure.nonRetryable(
        `Data Query job ${jobId} has no result file`,
        FailureType.DataQueryNoResult,
      );
    }
    links.remember(job);
    return { dataFile: job.dataFile, outputRows: job.outputRows ?? null, reused: false };
  };
  /** Rows of a job's result from `skipRows` on; a refused reused link is fetched afresh before any row is read. */
  async function* resultRows(client: ZuoraClient, jobId: string, skipRows: number, onRows: (n: number | null) => void) {
    let reuse = true;
    for (;;) {
      const link = await resultLink(client, jobId, reuse);
      onRows(link.outputRows);
      let read = false;
      try {
        for await (const r of client.streamDataQueryResult(link.dataFile, memoRowSchema, { skipRows })) {
          read = true;
          yield r;
        }
        return;
      } catch (err) {
        if (read || !link.reused || !(err instanceof ZuoraApiError && err.httpStatus === 403)) throw err;
        log.info('a reused result link was refused; fetching the job again', { jobId });
        links.forget(jobId);
        reuse = false;
      }
    }
  }

  const activities = {
    /** Submit (or, on retry, keep waiting for) the "what is left" Data Query. Returns only its id and row count. */
    async queryRemainingCreditMemos(input: { tenantId: string; pass: number }) {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const client = zuora.withTrackId(trackIdOf(info));
      const previous = z.object({ jobId: z.string() }).safeParse(info.heartbeatDetails);
      const before = client.stats();
      return withActivityFailures(async () => {
        // The seed's own filter counted by Transferred To Accounting (the verification), run alongside so it costs
        // no extra wait. Here rather than in an activity of its own, so running workflows issue the same commands.
        const counting = countByTransferredToAccounting(client, cancellationSignal());
        counting.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
        const jobId = previous.success
          ? previous.data.jobId
          : (await client.submitDataQuery(REMAINING_MIGRATED_CREDIT_MEMOS_QUERY)).id;
        heartbeat({ jobId });
        const job = await client.waitForDataQuery(jobId, {
          pollMs: DATA_QUERY_FIRST_POLL_MS,
          signal: cancellationSignal(),
          onPoll: () => heartbeat({ jobId }),
        });
        links.remember(job);
        log.info('remaining migrated credit memos queried', { pass: input.pass, jobId, rows: job.outputRows });
        const rows = job.outputRows ?? 0;
        const byTransferredToAccounting = await counting;
        const after = client.stats();
        return {
          jobId,
          rows,
          byTransferredToAccounting,
          reportDir: reports.dirFor(workflowIdOf(info)),
          retries: after.retries - before.retries,
          throttledMs: after.throttledMs - before.throttledMs,
        };
      });
    },

    /**
     * One failure report for the whole migration: the per-chunk files merged, one line per memo (its latest
     * refusal, and in how many passes Zuora refused it).
     */
    async consolidateFailureReport(input: { tenantId: string }): Promise<{ location: string; memos: number }> {
      assertTenant(tenantId, input.tenantId);
      const dir = reports.dirFor(workflowIdOf(activityInfo()));
      const byMemo = new Map<string, Record<string, unknown>>();
      const passes = new Map<string, number>();
      for (const file of reports.list(dir, /^credit-memo-failures-pass\d+-rows\d+-attempt\d+\.jsonl$/)) {
        for (const row of reports.readJsonLines(file)) {
          const id = String(row.id);
          byMemo.set(id, row);
          passes.set(id, (passes.get(id) ?? 0) + 1);
        }
      }
      const location = reports.pathFor(workflowIdOf(activityInfo()), 'credit-memo-failures.jsonl');
      reports.writeJsonLines(
        location,
        [...byMemo.entries()].map(([id, row]) => ({
          id,
          number: row.number,
          code: row.code,
          message: row.message,
          lastPass: row.pass,
          refusedInPasses: passes.get(id),
        })),
      );
      return { location, memos: byMemo.size };
    },

    /** Dry run: the first `sampleSize` memos of the query result, written to a report file. */
    async writeDryRunSample(input: { tenantId: string; jobId: string; sampleSize: number }) {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const client = zuora.withTrackId(trackIdOf(info));
      return withActivityFailures(async () => {
        const job = await client.getDataQueryJob(input.jobId);
        const sample: MemoRow[] = [];
        if (input.sampleSize > 0 && job.dataFile) {
          let row = 0;
          for await (const r of client.streamDataQueryResult(job.dataFile, memoRowSchema)) {
            sample.push({ row: row++, id: r.id, number: r.memonumber });
            if (sample.length >= input.sampleSize) break;
          }
        }
        const location = reports.pathFor(workflowIdOf(info), 'dry-run-sample.jsonl');
        reports.writeJsonLines(
          location,
          sample.map((m) => ({ ...m, change: { transferredToAccounting: { to: 'Yes' } } })),
        );
        return { location, sampled: sample.length };
      });
    },

    /**
     * Rows [startRow, endRow) of a query result: bulk updates of 50, at most `concurrencyBudget` requests in flight.
     * Heartbeats the first row not yet finished; a retry (e.g. after the worker was killed) starts there, so at most
     * the batches that were in flight are written again — harmless, PUT is idempotent.
     */
    async updateCreditMemoRows(input: {
      tenantId: string;
      jobId: string;
      pass: number;
      startRow: number;
      endRow: number;
      concurrencyBudget: number;
      /** Absent for migrations started before pause/resume: then the chunk reads no control. */
      control?: ChunkControl;
      /** Report folder of the manifest (the canary and the migration share one); default: this workflow's. */
      manifestKey?: string;
    }): Promise<ChunkResult> {
      assertTenant(tenantId, input.tenantId);
      // The latest checkpoint, re-sent by a ticker between batches: a long Data Query poll or a 429 pause must not
      // look like a dead worker (the chaos run caught a retried chunk timing out while its fresh query ran).
      let latest: unknown = activityInfo().heartbeatDetails;
      const beatWith = (details: unknown) => {
        latest = details;
        heartbeat(details);
      };
      // Errors before the write loop (the fresh query of a resumed chunk) get the same retry treatment as in it.
      return withActivityFailures(() =>
        whileHeartbeating(
          async () => {
            const info = activityInfo();
            const signal = cancellationSignal();
            const client = zuora.withTrackId(trackIdOf(info));
            const before = client.stats();
            const hb = chunkHeartbeatSchema.safeParse(info.heartbeatDetails);

            // A retry after a crash does not trust the old result file past the last heartbeat: the memos the dead
            // attempt wrote after it are Yes now, and rewriting them is exactly what we avoid. A fresh query of what is
            // left is the truth; this attempt handles as many of its rows as the chunk had left.
            let job = { id: input.jobId, rows: Number.NaN };
            let startRow = input.startRow;
            let endRow = input.endRow;
            let committedBefore = { updated: 0, failed: 0 };
            if (hb.success || input.control?.freshQuery) {
              if (hb.success) committedBefore = { updated: hb.data.updated, failed: hb.data.failed };
              const left = hb.success
                ? Math.max(0, hb.data.endRow - hb.data.doneRow)
                : Math.max(0, input.endRow - input.startRow);
              // Always a new query: an earlier fresh one may predate writes the dead attempt made from it.
              const freshJobId = (await client.submitDataQuery(REMAINING_MIGRATED_CREDIT_MEMOS_QUERY)).id;
              const fresh = await client.waitForDataQuery(freshJobId, {
                pollMs: DATA_QUERY_FIRST_POLL_MS,
                signal,
                onPoll: () => beatWith(info.heartbeatDetails),
              });
              links.remember(fresh);
              job = { id: freshJobId, rows: fresh.outputRows ?? 0 };
              startRow = 0;
              endRow = Math.min(job.rows, left);
              log.info('resuming a credit memo chunk from a fresh query', { jobId: job.id, rows: job.rows, left });
            }

            // At once: any retry of this attempt then knows it must resume from a fresh query, not rewrite from startRow.
            beatWith({ jobId: job.id, doneRow: startRow, endRow, ...committedBefore } satisfies ChunkHeartbeat);
            const reportPath = reports.pathFor(
              workflowIdOf(info),
              `credit-memo-failures-pass${input.pass}-rows${input.startRow}-attempt${info.attempt}.jsonl`,
            );
            const failures = await reports.openJsonLines(reportPath, () => false);
            const manifest = new ManifestPart(reports, input.manifestKey ?? workflowIdOf(info), {
              workflowId: workflowIdOf(info),
              runId: info.workflowExecution?.runId ?? 'standalone',
              pass: input.pass,
              startRow: input.startRow,
              attempt: info.attempt,
            });
            const budget = new RequestGate({ maxInFlight: input.concurrencyBudget });
            // Pause, concurrency and breaker (./migration-control.ts): read between batches, never waited on.
            let limit = input.concurrencyBudget;
            const breaker = input.control?.breaker ? new ChunkBreaker(input.control.breaker, committedBefore) : null;
            const watcher = input.control
              ? new ControlWatcher(
                  ControlWatcher.queryOf(
                    temporal ?? Context.current().client,
                    workflowIdOf(info),
                    info.workflowExecution?.runId,
                  ),
                  { paused: false, concurrency: limit },
                  (now) => {
                    limit = now.concurrency;
                    budget.setMaxInFlight(limit);
                    currentLease('zuora')?.setWant(limit); // a share up to the tenant budget
                    log.info('migration control changed', { ...now, doneRow });
                  },
                ).start()
              : null;
            const refusals = breaker ? { append: (r: { code: string }) => breaker.refused(r.code) } : null;
            const stopping = () => (watcher?.current.paused ? 'pause' : breaker?.tripped ? 'breaker' : null);
            // Once the chunk stops for a pause or the breaker, it stays stopped: a resume seen while the batches sent
            // finish must not make it claim rows it never sent (the resumed chunk goes on from the first of them).
            let haltedBy: 'pause' | 'breaker' | null = null;
            const halted = () => (haltedBy ??= stopping()) !== null || firstError !== undefined || signal.aborted;

            // Committed = batches below the watermark (what a heartbeat may claim); batches finished above a gap wait.
            let committed = { ...committedBefore };
            let doneRow = startRow;
            const finished = new Map<number, { end: number; updated: number; failed: number }>();
            let totals = { ...committed };
            let rowsRead = 0;
            let lastBeat = 0;
            let stoppedBy: ChunkResult['stoppedBy'];

            const beat = (force = false) => {
              const now = Date.now();
              if (!force && now - lastBeat < 1000) return;
              lastBeat = now;
              beatWith({ jobId: job.id, doneRow, endRow, ...committed } satisfies ChunkHeartbeat);
            };
            const advance = () => {
              for (;;) {
                const f = finished.get(doneRow);
                if (!f) break;
                finished.delete(doneRow);
                committed = { updated: committed.updated + f.updated, failed: committed.failed + f.failed };
                doneRow = f.end;
              }
              beat();
            };

            // Refusals reach the breaker where they are reported, leaving updateBatch as it is.
            if (refusals) {
              const append = failures.append.bind(failures);
              failures.append = (row) => {
                refusals.append(row as { code: string });
                append(row);
              };
            }

            const updateBatch = async (batch: MemoRow[]) => {
              const start = batch[0]!.row;
              const end = batch[batch.length - 1]!.row + 1;
              let pending = batch;
              let updated = 0;
              let failed = 0;
              for (let attempt = 0; pending.length > 0; attempt++) {
                const sent = pending;
                await manifest.intend(sent.map((m) => ({ id: m.id, number: m.number, before: m.before ?? null })));
                // Waiting for a slot with its intent on disk: the batch is sent the moment a slot frees. A batch the
                // chunk stopped before sending is not sent (its retries are: they belong to a batch in flight).
                const res = await budget.run(async () => {
                  if (attempt === 0 && halted()) return null;
                  return client.bulkUpdateCreditMemos(
                    pending.map((m) => ({ id: m.id, transferredToAccounting: 'Yes' as const })),
                  );
                });
                if (res === null) {
                  manifest.unsent(sent);
                  return; // not finished: the chunk's rows end before it
                }
                manifest.outcome(res, sent);
                updated += res.updated.length;
                const retryLater: MemoRow[] = [];
                for (const f of res.failed) {
                  const memo = pending.find((m) => m.id === f.id) ?? pending[f.objectIndex];
                  if (!memo) continue;
                  if (f.retryable && attempt < ITEM_RETRIES) {
                    retryLater.push(memo);
                  } else {
                    failed++;
                    failures.append({
                      pass: input.pass,
                      row: memo.row,
                      id: memo.id,
                      number: memo.number,
                      code: f.code,
                      message: f.message,
                    });
                  }
                }
                pending = retryLater;
              }
              finished.set(start, { end, updated, failed });
              totals = { updated: totals.updated + updated, failed: totals.failed + failed };
              advance();
            };

            const inFlight = new Set<Promise<void>>();
            let firstError: unknown;
            const dispatch = (batch: MemoRow[]) => {
              const p = updateBatch(batch)
                .then(() => breaker?.judge(totals))
                .catch((err) => {
                  firstError ??= err;
                })
                .finally(() => inFlight.delete(p));
              inFlight.add(p);
            };

            try {
              let row = startRow;
              let batch: MemoRow[] = [];
              const rows = resultRows(client, job.id, startRow, (outputRows) => {
                if (Number.isNaN(job.rows)) job.rows = outputRows ?? endRow;
              });
              for await (const r of rows) {
                const index = row++;
                if (index >= endRow) break;
                rowsRead++;
                batch.push({ row: index, id: r.id, number: r.memonumber, before: r.transferredtoaccounting || null });
                if (batch.length === BULK_LIMIT) {
                  dispatch(batch);
                  batch = [];
                  // Back-pressure: the budget's requests in flight plus as many batches again waiting for a slot
                  // with their intent written (so the intent's fdatasync is off the request's path: it was ~45 ms a
                  // batch, p90 200 ms, on the shared disk), and nothing dispatched more than that many batches past
                  // the first unfinished one — so a crash leaves at most that much unaccounted for.
                  const window = limit * BATCHES_AHEAD;
                  while ((inFlight.size >= window || index + 1 - doneRow >= window * BULK_LIMIT) && !halted()) {
                    await Promise.race(inFlight);
                  }
                }
                if (halted()) break;
              }
              // A pause (or a trip) seen now still leaves the last partial batch for the resumed chunk.
              if (batch.length > 0 && !halted()) dispatch(batch);
              manifest.lastDispatched(); // its sort while the last batches are in flight
              await Promise.all(inFlight);
              if (firstError) throw firstError;
              // `temporal activity pause` reaches us as a cancellation (cancellationDetails().paused): the batches in
              // flight finished above; the retry after `unpause` resumes from the heartbeat with a fresh query.
              if (signal.aborted) throw ApplicationFailure.retryable('cancelled', FailureType.Cancelled);
              stoppedBy = haltedBy ?? stopping() ?? undefined;
              // Stopped early, every batch sent has finished: the chunk ends exactly at its first unsent row.
              if (!stoppedBy) doneRow = Math.max(doneRow, endRow);
              beat(true);
            } finally {
              watcher?.stop();
              await failures.close();
              await manifest.close();
            }

            const after = client.stats();
            return {
              jobId: job.id,
              jobRows: job.rows,
              nextRow: stoppedBy ? doneRow : endRow,
              rowsRead,
              updated: totals.updated,
              failed: totals.failed,
              retries: after.retries - before.retries,
              throttledMs: budget.stats().throttledMs + (after.throttledMs - before.throttledMs),
              failuresReport: totals.failed > 0 ? failures.path : null,
              resumed: hb.success,
              ...(stoppedBy ? { stoppedBy } : {}),
              ...(stoppedBy === 'breaker' ? { breakerReason: breaker!.tripped! } : {}),
            };
          },
          () => latest,
        ),
      );
    },
  };
  // The two that make many Zuora requests: the chunk (its concurrency) and the query with its count (two jobs).
  return leasedActivities(activities, leases, {
    updateCreditMemoRows: (input) => ({ zuora: input.concurrencyBudget }),
    queryRemainingCreditMemos: () => ({ zuora: 2 }),
  });
}

export type MigrationActivities = ReturnType<typeof createMigrationActivities>;

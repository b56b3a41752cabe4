// migrateCreditMemos: sets Transferred To Accounting = Yes on every credit memo Zuora made from a negative invoice
// (reason code "AR Mig - negative invoice"), so the new connector does not sync them to NetSuite a second time.
//
// Pass = one Data Query for what is left + bulk updates of its rows, chunk by chunk (one activity per chunk, which
// resumes from its heartbeat after a crash). Passes repeat until a fresh query finds nothing (the verification) or
// a pass makes no progress (what is left is refused by Zuora and is in the failure report). Per-memo data stays in
// the activities and the report files: history carries only counts, so it stays small at any N.
import {
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ManifestActivities } from '../activities/manifest';
import type { MigrationActivities } from '../activities/migration';
import {
  concurrencyBudgetOf,
  describeTransferCounts,
  migrateCreditMemosInputSchema,
  notYesIn,
  progressQuery,
  type MigrateCreditMemosInput,
  type MigrateCreditMemosResult,
  type MigrationCarryOver,
  type MigrationManifestSummary,
  type MigrationCounters,
  type MigrationProgress,
  type TransferCount,
} from '../shared/migration';
import { MIGRATION_MANIFEST } from './upgrade/patches';
import { parseWorkflowInput } from './validation';

const { queryRemainingCreditMemos, writeDryRunSample, consolidateFailureReport } = proxyActivities<MigrationActivities>(
  {
    startToCloseTimeout: '4h', // Zuora allows a Data Query up to 4 hours
    heartbeatTimeout: '2m',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  },
);

const { consolidateManifest } = proxyActivities<ManifestActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** A killed worker is noticed after the heartbeat timeout; the retry resumes from the last heartbeat. */
const updateActivity = (heartbeatTimeoutSeconds: number) =>
  proxyActivities<MigrationActivities>({
    startToCloseTimeout: '6h',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
  }).updateCreditMemoRows;

/** A pass reads one query result; after a crash-resume it goes on with a fresh one (rowOffset = rows before it). */
type PassState = { pass: number; jobId: string; rows: number; nextRow: number; rowOffset: number; updated: number };
type Carry = MigrationCarryOver & { currentPass?: PassState; lastPassMadeNoProgress?: boolean; remaining?: number };

export async function migrateCreditMemos(
  rawInput: MigrateCreditMemosInput,
  carry?: Carry,
): Promise<MigrateCreditMemosResult> {
  const input = parseWorkflowInput(migrateCreditMemosInputSchema, rawInput, 'migrateCreditMemos input');
  const budget = concurrencyBudgetOf(input);
  const updateCreditMemoRows = updateActivity(input.heartbeatTimeoutSeconds);
  // Each chunk costs about 6 events: continue-as-new long before the 10K-event warning.
  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > input.continueAsNewAfterEvents;
  };
  const counters: MigrationCounters = carry?.counters ?? {
    totalFound: 0,
    updated: 0,
    failed: 0,
    retries: 0,
    throttledMs: 0,
    passes: 0,
    passRowsDone: 0,
    passRows: 0,
    resumes: 0,
  };
  const startedAt = carry?.startedAt ?? Date.now();
  let updatingMs = carry?.updatingMs ?? 0;
  let phase: MigrationProgress['phase'] = 'querying';
  let remaining: number | null = carry?.remaining ?? null;
  let reportDir: string | null = null;
  /** The seed's filter counted by Transferred To Accounting, from the latest query that counted. */
  let byTransfer: TransferCount[] | undefined;

  const progress = (): MigrationProgress => {
    const rate = updatingMs > 0 ? counters.updated / (updatingMs / 1000) : 0;
    const left = Math.max(0, counters.passRows - counters.passRowsDone);
    return {
      ...counters,
      phase,
      dryRun: input.dryRun,
      concurrencyBudget: budget,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: phase === 'updating' && rate > 0 ? Math.ceil(left / rate) : phase === 'done' ? 0 : null,
      remainingAtLastQuery: remaining,
      ...(byTransfer ? { byTransferredToAccounting: byTransfer } : {}),
      startedAt: new Date(startedAt).toISOString(),
      reportDir,
    };
  };
  setHandler(progressQuery, progress);
  const show = () => setCurrentDetails(renderDetails(input.tenantId, progress()));

  const finish = async (stoppedBecause: MigrateCreditMemosResult['stoppedBecause'], dryRunSample: string | null) => {
    const failuresReport =
      counters.failed > 0 ? (await consolidateFailureReport({ tenantId: input.tenantId })).location : null;
    // Every memo written, with its value before: what `is-upgrade revert-migration` sets back. Runs from before it
    // have none (their histories replay without the activity).
    let manifest: MigrationManifestSummary | undefined;
    if (!input.dryRun && patched(MIGRATION_MANIFEST)) {
      const m = await consolidateManifest({
        tenantId: input.tenantId,
        ...(input.manifestKey ? { manifestKey: input.manifestKey } : {}),
      });
      manifest = { location: m.location, sha256: m.sha256, memos: m.memos, changed: m.changed };
    }
    // The verification is the seed's own filter, counted: an empty "what is left" is not enough on its own (a query
    // that misses a value — null did — would pass it). Runs recorded before the count carry none: verified as then.
    const notYes = byTransfer ? notYesIn(byTransfer) : 0;
    if (stoppedBecause === 'verified' && notYes > 0) {
      stoppedBecause = 'count-not-all-yes';
      remaining = notYes;
      log.warn('the remaining query found nothing but the count is not all Yes', { notYes });
    }
    // A worker that died after its last heartbeat took its count of writes with it; the memos it wrote are Yes
    // all the same. After a resume, the fresh queries are the truth: what was found and is no longer left.
    if (counters.resumes > 0 && !input.dryRun) {
      counters.updated = Math.max(counters.updated, counters.totalFound - (remaining ?? 0));
    }
    phase = 'done';
    show();
    const result: MigrateCreditMemosResult = {
      tenantId: input.tenantId,
      dryRun: input.dryRun,
      verified: stoppedBecause === 'verified',
      remaining: remaining ?? 0,
      counters: { ...counters },
      reports: { dir: reportDir, failures: failuresReport, dryRunSample, ...(manifest ? { manifest } : {}) },
      stoppedBecause,
      seconds: Math.round((Date.now() - startedAt) / 1000),
      ...(byTransfer ? { byTransferredToAccounting: byTransfer } : {}),
    };
    log.info('credit memo migration finished', { ...result.counters, stoppedBecause, remaining: result.remaining });
    return result;
  };

  let current = carry?.currentPass;
  let lastPassMadeNoProgress = carry?.lastPassMadeNoProgress ?? false;
  for (;;) {
    if (!current) {
      phase = counters.passes === 0 ? 'querying' : 'verifying';
      show();
      const found = await queryRemainingCreditMemos({ tenantId: input.tenantId, pass: counters.passes + 1 });
      remaining = found.rows;
      reportDir = found.reportDir;
      if (found.byTransferredToAccounting) byTransfer = found.byTransferredToAccounting;
      counters.retries += found.retries;
      counters.throttledMs += found.throttledMs;
      if (counters.passes === 0 && counters.totalFound === 0) counters.totalFound = found.rows;
      if (found.rows === 0) return finish('verified', null);
      if (input.dryRun) {
        const sample = await writeDryRunSample({
          tenantId: input.tenantId,
          jobId: found.jobId,
          sampleSize: input.sampleSize,
        });
        return finish('dry-run', sample.location);
      }
      if (counters.passes >= input.maxPasses) return finish('max-passes', null);
      if (lastPassMadeNoProgress) return finish('no-progress', null);
      counters.passes += 1;
      counters.passRows = found.rows;
      counters.passRowsDone = 0;
      // The canary writes only the first limitRows of what the query found.
      const rows = input.limitRows === undefined ? found.rows : Math.min(found.rows, input.limitRows);
      current = { pass: counters.passes, jobId: found.jobId, rows, nextRow: 0, rowOffset: 0, updated: 0 };
    }

    phase = 'updating';
    show();
    while (current.nextRow < current.rows) {
      const startRow = current.nextRow;
      const endRow = Math.min(current.rows, startRow + input.chunkRows);
      const began = Date.now();
      const r = await updateCreditMemoRows({
        tenantId: input.tenantId,
        jobId: current.jobId,
        pass: current.pass,
        startRow,
        endRow,
        concurrencyBudget: budget,
        ...(input.manifestKey ? { manifestKey: input.manifestKey } : {}),
      });
      updatingMs += Date.now() - began;
      counters.updated += r.updated;
      counters.failed += r.failed;
      counters.retries += r.retries;
      counters.throttledMs += r.throttledMs;
      current.updated += r.updated;
      if (r.jobId !== current.jobId) {
        // The chunk resumed from a fresh query after a crash: the pass goes on with that query's rows.
        current.rowOffset += startRow;
        current.jobId = r.jobId;
        current.rows =
          input.limitRows === undefined ? r.jobRows : Math.min(r.jobRows, input.limitRows - current.rowOffset);
        counters.resumes += 1;
      }
      current.nextRow = r.nextRow;
      counters.passRowsDone = current.rowOffset + current.nextRow;
      counters.passRows = current.rowOffset + current.rows;
      show();

      if (current.nextRow < current.rows && shouldContinueAsNew()) {
        await continueAsNew<typeof migrateCreditMemos>(rawInput, {
          counters,
          startedAt,
          updatingMs,
          currentPass: current,
          lastPassMadeNoProgress,
          remaining: remaining ?? undefined,
        });
      }
    }
    lastPassMadeNoProgress = current.updated === 0;
    current = undefined;
    if (input.limitRows !== undefined) return finish('canary', null);
    if (shouldContinueAsNew()) {
      await continueAsNew<typeof migrateCreditMemos>(rawInput, {
        counters,
        startedAt,
        updatingMs,
        lastPassMadeNoProgress,
        remaining: remaining ?? undefined,
      });
    }
  }
}

function renderDetails(tenantId: string, p: MigrationProgress): string {
  const pct = p.passRows > 0 ? Math.floor((100 * p.passRowsDone) / p.passRows) : 0;
  return [
    `## Credit memo migration — tenant \`${tenantId}\`${p.dryRun ? ' (dry run)' : ''}`,
    '',
    `| | |`,
    `|---|---|`,
    `| phase | **${p.phase}** |`,
    `| found at first query | ${p.totalFound} |`,
    `| updated to Transferred To Accounting = Yes | ${p.updated} |`,
    `| refused by Zuora (see report) | ${p.failed} |`,
    `| pass | ${p.passes} (${pct}% of ${p.passRows} rows) |`,
    `| rate | ${p.rate} memos/s, concurrency budget ${p.concurrencyBudget} |`,
    `| ETA | ${p.etaSeconds === null ? '—' : `${p.etaSeconds} s`} |`,
    `| retried requests / throttled | ${p.retries} / ${Math.round(p.throttledMs / 1000)} s |`,
    `| left at last query | ${p.remainingAtLastQuery ?? '—'} |`,
    `| by Transferred To Accounting | ${p.byTransferredToAccounting ? describeTransferCounts(p.byTransferredToAccounting) : '—'} |`,
    p.reportDir ? `\nReports: \`${p.reportDir}\`` : '',
  ].join('\n');
}

// migrateCreditMemos: sets Transferred To Accounting = Yes on every credit memo Zuora made from a negative invoice
// (reason code "AR Mig - negative invoice"), so the new connector does not sync them to NetSuite a second time.
//
// Pass = one Data Query for what is left + bulk updates of its rows, chunk by chunk (one activity per chunk, which
// resumes from its heartbeat after a crash). Passes repeat until a fresh query finds nothing (the verification) or
// a pass makes no progress (what is left is refused by Zuora and is in the failure report). Per-memo data stays in
// the activities and the report files: history carries only counts, so it stays small at any N.
//
// Operator control (issue 14 §2; docs/product.md): this workflow holds the control state — paused or not, the
// concurrency — and takes pause / resume / setConcurrency as signals and updates. The running chunk reads it with the
// `control` query about once a second between batches (activities/migration-control.ts): on a pause it sends no
// new batch, lets those in flight finish and returns where it stopped; the workflow then waits with no activity
// running, and on resume goes on from that row (from a fresh query after a pause longer than
// requeryAfterPauseMinutes). The breaker pauses the same way by itself, and notifies.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { ChunkControl, MigrationActivities } from '../activities/migration';
import type { UpgradeActivities } from '../activities/upgrade';
import { escapeMarkdown } from '../shared/escape';
import { FailureType } from '../shared/failures';
import {
  MIGRATION_CONTROL_DEFINITIONS,
  liveControlQuery,
  migrationPauseNoticeSignal,
  type MigrationControlName,
  type MigrationControlState,
} from '../shared/migration-control';
import { migrationEtaSeconds } from '../shared/migration-eta';
import type { MessageOutcome } from '../shared/upgrade';
import type { ManifestActivities } from '../activities/manifest';
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
import { applyControl, checkControl, initialControl, recordRefusal, tripBreaker } from './migration-control';
import { PROGRESS_QUERY_DESCRIPTION } from '../shared/web-ui';
import {
  MIGRATION_MANIFEST,
  MIGRATION_MANIFEST_ON_FAILURE,
  MIGRATION_MANIFEST_WITH_VERIFICATION,
  MIGRATION_TELLS_UPGRADE_WHEN_PAUSED,
} from './upgrade/patches';
import { parseWorkflowInput } from './validation';

/** continueAsNew ends a run by throwing: that is no failure. */
function isContinueAsNew(err: unknown): boolean {
  return err instanceof ContinueAsNew;
}

/**
 * Tells the upgrade that started this migration (if any) that its pause took effect, or ended: the upgrade then
 * says "waiting on operator" (MIGRATION_TELLS_UPGRADE_WHEN_PAUSED). An upgrade that has closed is not an error.
 */
async function tellUpgrade(paused: MigrationControlState['paused']): Promise<void> {
  const { parent, workflowId } = workflowInfo();
  if (!parent || !patched(MIGRATION_TELLS_UPGRADE_WHEN_PAUSED)) return;
  const notice = { migration: workflowId, paused: paused && { ...paused } };
  try {
    // By workflow id alone: the signal reaches the upgrade's current run.
    await getExternalWorkflowHandle(parent.workflowId).signal(migrationPauseNoticeSignal, notice);
  } catch (err) {
    log.warn('could not tell the upgrade about the pause', { error: String(err) });
  }
}

/** Pause, resume, setConcurrency and the breaker: runs started before them replay (and run on) without them. */
export const MIGRATION_CONTROL_PATCH = 'migration-pause-concurrency-breaker';

const { queryRemainingCreditMemos, writeDryRunSample, consolidateFailureReport } = proxyActivities<MigrationActivities>(
  {
    startToCloseTimeout: '4h', // Zuora allows a Data Query up to 4 hours
    heartbeatTimeout: '2m',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  },
);

/** The breaker's notice; a channel that is down must not stop the migration (the progress query says it too). */
const { notify } = proxyActivities<UpgradeActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

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
/** What the ETA goes by besides the counters: the "what is left" queries timed, the updates since the latest count. */
type EtaCarry = { queryMs: number; queries: number; updatedAtCount: number };
type Carry = MigrationCarryOver & {
  currentPass?: PassState;
  lastPassMadeNoProgress?: boolean;
  remaining?: number;
  control?: MigrationControlState;
  eta?: EtaCarry;
  /** The next chunk starts from a fresh query (set by a resume after a long pause). */
  freshQuery?: boolean;
};

export async function migrateCreditMemos(
  rawInput: MigrateCreditMemosInput,
  carry?: Carry,
): Promise<MigrateCreditMemosResult> {
  const input = parseWorkflowInput(migrateCreditMemosInputSchema, rawInput, 'migrateCreditMemos input');
  const budget = concurrencyBudgetOf(input);
  const controllable = patched(MIGRATION_CONTROL_PATCH);
  const control = carry?.control ?? initialControl(budget);
  const eta: EtaCarry = carry?.eta ?? { queryMs: 0, queries: 0, updatedAtCount: 0 };
  let freshQuery = carry?.freshQuery ?? false;
  let finished = false;
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
    const etaSeconds = controllable
      ? migrationEtaSeconds({
          phase,
          rate,
          passRows: counters.passRows,
          passRowsDone: counters.passRowsDone,
          notYesAtCount: byTransfer ? notYesIn(byTransfer) : null,
          updatedSinceCount: counters.updated - eta.updatedAtCount,
          querySeconds: eta.queries > 0 ? eta.queryMs / eta.queries / 1000 : 0,
        })
      : phase === 'updating' && rate > 0
        ? Math.ceil(left / rate)
        : phase === 'done'
          ? 0
          : null;
    return {
      ...counters,
      phase,
      dryRun: input.dryRun,
      concurrencyBudget: controllable ? control.concurrency : budget,
      rate: Math.round(rate * 10) / 10,
      etaSeconds,
      ...(controllable
        ? { control: { ...control, events: [...control.events], concurrencyLimit: input.tenantConcurrencyLimit } }
        : {}),
      remainingAtLastQuery: remaining,
      ...(byTransfer ? { byTransferredToAccounting: byTransfer } : {}),
      startedAt: new Date(startedAt).toISOString(),
      reportDir,
    };
  };
  setHandler(progressQuery, progress, { description: PROGRESS_QUERY_DESCRIPTION });
  const show = () => setCurrentDetails(renderDetails(input.tenantId, progress()));
  const now = () => new Date(Date.now()).toISOString();
  for (const name of Object.keys(MIGRATION_CONTROL_DEFINITIONS) as MigrationControlName[]) {
    registerControl(name, () => ({ limit: input.tenantConcurrencyLimit, controllable, finished }), control, now, show);
  }
  setHandler(liveControlQuery, () => ({ paused: control.paused !== null, concurrency: control.concurrency }));
  const carryOver = (extra: Partial<Carry>): Carry => ({
    counters,
    startedAt,
    updatingMs,
    remaining: remaining ?? undefined,
    ...(controllable ? { control, eta, freshQuery } : {}),
    ...extra,
  });

  /**
   * Before a query or a chunk: while paused, wait (no activity runs) and say so; a long pause continues as new so
   * history stays short. On resume after more than requeryAfterPauseMinutes, the next chunk queries afresh.
   */
  const waitWhilePaused = async (resumeWith: Partial<Carry>) => {
    if (!control.paused) return;
    const before = phase;
    const since = Date.parse(control.paused.at);
    phase = 'paused';
    show();
    await tellUpgrade(control.paused);
    await condition(() => control.paused === null || workflowInfo().continueAsNewSuggested);
    if (control.paused) await continueAsNew<typeof migrateCreditMemos>(rawInput, carryOver(resumeWith));
    if (Date.now() - since > input.requeryAfterPauseMinutes * 60_000) freshQuery = true;
    phase = before;
    show();
    await tellUpgrade(null);
  };
  const breakerTripped = async (reason: string) => {
    tripBreaker(control, reason, now());
    log.warn('credit memo migration paused by its breaker', { reason });
    show();
    const { workflowId } = workflowInfo();
    try {
      await notify({
        kind: 'waiting',
        tenantId: input.tenantId,
        workflowId,
        title: `Credit memo migration paused by its breaker (tenant ${input.tenantId})`,
        text:
          `${reason}.\nRead the failure report, fix the cause, then resume { "by": "…" } on ${workflowId} ` +
          '(`is-upgrade resume-migration`); resume { "by": "…", "breaker": "off" } goes on without the breaker.',
        dedupeKey: `${workflowId}:breaker:${control.trips}`,
      });
    } catch (err) {
      log.warn('breaker notification failed', { error: String(err) });
    }
  };

  let manifestTried = false;
  /** The consolidation that ran alongside the latest verification query (MIGRATION_MANIFEST_WITH_VERIFICATION). */
  let consolidatedWithQuery: Promise<MigrationManifestSummary> | null = null;
  const consolidate = async (): Promise<MigrationManifestSummary> => {
    const m = await consolidateManifest({
      tenantId: input.tenantId,
      ...(input.manifestKey ? { manifestKey: input.manifestKey } : {}),
    });
    return { location: m.location, sha256: m.sha256, memos: m.memos, changed: m.changed };
  };
  const finish = async (stoppedBecause: MigrateCreditMemosResult['stoppedBecause'], dryRunSample: string | null) => {
    const failuresReport =
      counters.failed > 0 ? (await consolidateFailureReport({ tenantId: input.tenantId })).location : null;
    // Every memo written, with its value before: what `is-upgrade revert-migration` sets back. Runs from before it
    // have none (their histories replay without the activity).
    let manifest: MigrationManifestSummary | undefined;
    if (!input.dryRun && patched(MIGRATION_MANIFEST)) {
      manifestTried = true;
      // Nothing was written since the verification query began: the manifest made alongside it is complete.
      manifest = await (consolidatedWithQuery ?? consolidate());
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
    finished = true;
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

  // A migration that fails (or is cancelled) still leaves the manifest of what it wrote: the revert reads it.
  try {
    return await passes();
  } catch (err) {
    if (input.dryRun || manifestTried || isContinueAsNew(err) || !patched(MIGRATION_MANIFEST_ON_FAILURE)) throw err;
    await CancellationScope.nonCancellable(async () => {
      try {
        // One that ran alongside the failed verification query is complete (nothing was written since); it may
        // still run, and a second one must not write the same file meanwhile.
        const m = await (consolidatedWithQuery ?? consolidate());
        log.warn('credit memo migration failed; the manifest of what it wrote is consolidated', {
          location: m.location,
          changed: m.changed,
        });
      } catch (consolidation) {
        log.error('credit memo migration failed, and so did its manifest', { error: String(consolidation) });
      }
    });
    throw err;
  }

  async function passes(): Promise<MigrateCreditMemosResult> {
    let current = carry?.currentPass;
    let lastPassMadeNoProgress = carry?.lastPassMadeNoProgress ?? false;
    for (;;) {
      if (!current) {
        phase = counters.passes === 0 ? 'querying' : 'verifying';
        await waitWhilePaused({ lastPassMadeNoProgress });
        show();
        const queryBegan = Date.now();
        // The verification query finds nothing left, most often: the manifest is consolidated meanwhile, not after
        // it (4.5 s at 200,000 memos once; nothing writes until the query is back). Kept if nothing is left.
        consolidatedWithQuery =
          counters.passes > 0 && !input.dryRun && patched(MIGRATION_MANIFEST_WITH_VERIFICATION) ? consolidate() : null;
        consolidatedWithQuery?.catch(() => undefined); // awaited below or by finish; not unhandled meanwhile
        const found = await queryRemainingCreditMemos({ tenantId: input.tenantId, pass: counters.passes + 1 });
        eta.queryMs += Date.now() - queryBegan;
        eta.queries += 1;
        remaining = found.rows;
        reportDir = found.reportDir;
        if (found.byTransferredToAccounting) {
          byTransfer = found.byTransferredToAccounting;
          eta.updatedAtCount = counters.updated;
        }
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
        if (consolidatedWithQuery) {
          // A new pass writes more: its manifest is consolidated at its end. This one must be done first (same file).
          await consolidatedWithQuery.catch(() => undefined);
          consolidatedWithQuery = null;
        }
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
        await waitWhilePaused({ currentPass: current, lastPassMadeNoProgress });
        const startRow = current.nextRow;
        const endRow = Math.min(current.rows, startRow + input.chunkRows);
        const began = Date.now();
        const chunkControl: ChunkControl | undefined = controllable
          ? {
              // The first pass only: a later pass holds what was left — mostly memos Zuora refused before, so a high
              // refusal rate there is expected, not a sign that something new went wrong.
              breaker: input.breaker.enabled && !control.breakerOff && current.pass === 1 ? input.breaker : null,
              freshQuery,
            }
          : undefined;
        freshQuery = false;
        const r = await updateCreditMemoRows({
          tenantId: input.tenantId,
          jobId: current.jobId,
          pass: current.pass,
          startRow,
          endRow,
          concurrencyBudget: controllable ? control.concurrency : budget,
          ...(chunkControl ? { control: chunkControl } : {}),
          ...(input.manifestKey ? { manifestKey: input.manifestKey } : {}),
        });
        updatingMs += Date.now() - began;
        counters.updated += r.updated;
        counters.failed += r.failed;
        counters.retries += r.retries;
        counters.throttledMs += r.throttledMs;
        current.updated += r.updated;
        if (r.jobId !== current.jobId) {
          // The chunk resumed from a fresh query (after a crash, or a long pause): the pass goes on with its rows.
          current.rowOffset += startRow;
          current.jobId = r.jobId;
          current.rows =
            input.limitRows === undefined ? r.jobRows : Math.min(r.jobRows, input.limitRows - current.rowOffset);
          if (r.resumed || !chunkControl?.freshQuery) counters.resumes += 1;
        }
        current.nextRow = r.nextRow;
        counters.passRowsDone = current.rowOffset + current.nextRow;
        counters.passRows = current.rowOffset + current.rows;
        if (r.stoppedBy === 'breaker' && !control.paused) await breakerTripped(r.breakerReason ?? 'breaker tripped');
        show();

        if (current.nextRow < current.rows && shouldContinueAsNew()) {
          await continueAsNew<typeof migrateCreditMemos>(
            rawInput,
            carryOver({ currentPass: current, lastPassMadeNoProgress }),
          );
        }
      }
      lastPassMadeNoProgress = current.updated === 0;
      current = undefined;
      if (input.limitRows !== undefined) return finish('canary', null);
      if (shouldContinueAsNew()) {
        await continueAsNew<typeof migrateCreditMemos>(rawInput, carryOver({ lastPassMadeNoProgress }));
      }
    }
  }
}

/**
 * A control message is a signal (a refusal is only recorded) and an update of the same name (the caller gets the
 * outcome or the reason; the validator refuses before anything reaches history), like the upgrade's messages.
 */
function registerControl(
  name: MigrationControlName,
  rules: () => Parameters<typeof checkControl>[3],
  control: MigrationControlState,
  now: () => string,
  show: () => void,
): void {
  const { signal, update } = MIGRATION_CONTROL_DEFINITIONS[name] as unknown as {
    signal: SignalDefinition<[unknown]>;
    update: UpdateDefinition<MessageOutcome, [unknown]>;
  };
  const take = (payload: unknown): MessageOutcome => {
    const v = checkControl(control, name, payload, rules());
    if (!v.ok) throw ApplicationFailure.nonRetryable(v.reason, FailureType.InvalidMessage);
    applyControl(control, name, payload, v.outcome, now());
    log.info('migration control', { message: name, outcome: v.outcome.outcome });
    show();
    return v.outcome;
  };
  setHandler(signal, (payload: unknown) => {
    const v = checkControl(control, name, payload, rules());
    if (v.ok) return void take(payload);
    recordRefusal(control, name, (payload as { by?: unknown } | null)?.by, v.reason, now());
    log.warn('signal rejected', { signal: name, reason: v.reason.slice(0, 1_000) });
    show();
  });
  setHandler(update, take, {
    validator: (payload: unknown) => {
      const v = checkControl(control, name, payload, rules());
      if (!v.ok) throw new Error(v.reason);
    },
  });
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
    `| ETA${p.control ? ' (all passes)' : ''} | ${p.etaSeconds === null ? '—' : `${p.etaSeconds} s`}${p.phase === 'paused' ? ' once resumed' : ''} |`,
    ...(p.control ? controlRows(p) : []),
    `| retried requests / throttled | ${p.retries} / ${Math.round(p.throttledMs / 1000)} s |`,
    `| left at last query | ${p.remainingAtLastQuery ?? '—'} |`,
    `| by Transferred To Accounting | ${p.byTransferredToAccounting ? describeTransferCounts(p.byTransferredToAccounting) : '—'} |`,
    p.reportDir ? `\nReports: \`${p.reportDir}\`` : '',
  ].join('\n');
}

function controlRows(p: MigrationProgress): string[] {
  const c = p.control!;
  const oneLine = escapeMarkdown; // what operators wrote cannot add a row, a link or HTML
  return [
    `| paused | ${c.paused ? `**yes**, by ${oneLine(c.paused.by)} at ${c.paused.at}: ${oneLine(c.paused.reason)} — send \`resume\`` : 'no'} |`,
    `| concurrency | ${c.concurrency} (tenant limit ${c.concurrencyLimit}; \`setConcurrency\`) |`,
    `| breaker | ${c.breakerOff ? `off (by ${oneLine(c.breakerOff.by)})` : 'on'}, tripped ${c.trips}× |`,
  ];
}

// The run loop both NetSuite→Zuora syncs share (workflow code: deterministic, no I/O).
//
// Watermark, kept across scheduled runs:
// - Where it lives: in the *result* of the previous completed run of the same workflow type for the tenant
//   (`newWatermark`), found through Temporal visibility (WorkflowType + ExecutionStatus = 'Completed' + the
//   IsTenantId search attribute, which every sync run upserts). Dry runs are passed over. No schedule memo or extra
//   search attribute to keep in step: a failed, cancelled or terminated run leaves it untouched, and the upgrade's
//   final run and backfills count like scheduled runs.
// - What it is: NetSuite's own highest lastmodifieddate for the record type *when this run's scan began* (read in
//   NetSuite, so no clock or time zone of ours is involved). Every record changed during or after the scan has a
//   later value, so the next run sees it — including records with ids the key-based scan had already passed.
// - How it is used: the next run reads `lastmodifieddate >= watermark − overlapMinutes` (NetSuite does not commit
//   lastmodifieddate in strict order; the overlap re-reads the edge). fullScan reads from the epoch; the cutover
//   date (tranDate) bounds every run. A run that finds no watermark (first run, history past retention) reads
//   from the epoch: safe, because every write is looked up first.
// - Dry runs, and runs with both credit memo syncs off, keep the previous watermark (they synced nothing).
// - Undecided records: a record skipped for a reason that can change without the record itself changing (its
//   invoice gets a Zuora ID later), a failed one and one whose amount could not be read go into the result's
//   `undecided` set (bounded, MAX_UNDECIDED); the next run reads them again by id whatever their lastmodifieddate,
//   until they are decided. Beyond the bound, the watermark is held at the oldest record left out, so the scan itself
//   reads them again. The set lives where the watermark lives (the previous completed run's result).
import {
  ContinueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import { IS_TENANT_ID } from '../shared/search-attributes';
import { DEFAULT_ALERT_AFTER_SKIPPED_RUNS, type SyncHealthAnswer, type SyncHealthCheck } from '../shared/sync-health';
import { clip } from '../shared/text';
import { SYNC_HEALTH_CHECKS } from './upgrade/patches';
import {
  EPOCH_WATERMARK,
  addTally,
  emptyTally,
  emptyUndecided,
  mergeUndecided,
  watermarkMinus,
  type BeginSyncResult,
  type SyncChunkInput,
  type SyncChunkResult,
  type SyncKind,
  type SyncResult,
  type SyncTally,
  type UndecidedSet,
} from '../shared/sync';

const { beginSync } = proxyActivities<SyncActivities>({
  // It heartbeats every 5 s: a killed worker's call is retried after 30 s; the clients may wait out a 429 (≤ 60 s).
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** The chunk activities of both syncs (each sync workflow passes its own to runSync). */
export const { syncCreditMemoChunk, syncPaymentChunk } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '20s', // it heartbeats every 2 s; the retry resumes after the last finished page
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

/** The health check (docs/web-ui.md §4): short, and never what fails a sync (its failure is only logged). */
const { checkSyncHealth } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});
/** Between the chunks of a long run, the health is checked at most this often (workflow time). */
const HEALTH_CHECK_EVERY_MS = 5 * 60_000;

/** A chunk activity's summary in the Web UI. */
export const chunkSummary = (c: SyncChunkInput): string =>
  `pages after id ${c.startAfterId}, modified since ${c.modifiedSince}${c.dryRun ? ' (dry run)' : ''}`;

/** Pages (of up to 1,000 records) per chunk activity: ~10,000 records, a few history events. */
export const PAGES_PER_CHUNK = 10;
/** Continue-as-new well before Temporal's history limits (each chunk costs ~6 events). */
const MAX_EVENTS_PER_RUN = 5_000;

export type SyncCarry = {
  begin: BeginSyncResult;
  syncDate: string;
  readFrom: string;
  cursor: number;
  pages: number;
  tally: SyncTally;
  failuresReport: string | null;
  reconciliationReport: string | null;
  /** Optional: carries of runs continued-as-new before these existed lack them. */
  notFullyAppliedReport?: string | null;
  undecided?: UndecidedSet;
};

export type SyncRunOptions = {
  kind: SyncKind;
  params: {
    tenantId: string;
    cutoverDate?: string;
    overlapMinutes: number;
    fullScan: boolean;
    dryRun: boolean;
    pageSize: number;
    /** Alerts after this many skipped scheduled runs (inputs recorded before it lack it). */
    alertAfterSkippedRuns?: number;
  };
  /** false: nothing is synced (both credit memo syncs off, as the connector ships). */
  enabled: boolean;
  carry: SyncCarry | undefined;
  chunk: (i: SyncChunkInput) => Promise<SyncChunkResult>;
  continueWith: (carry: SyncCarry) => Promise<never>;
  title: string;
};

export async function runSync(o: SyncRunOptions): Promise<SyncResult> {
  const { params } = o;
  upsertSearchAttributes([{ key: IS_TENANT_ID, value: params.tenantId }]);
  // Runs started before the health checks existed replay without them.
  const health = patched(SYNC_HEALTH_CHECKS) ? new HealthChecks(o) : null;
  try {
    return await runSyncChecked(o, health);
  } catch (err) {
    if (health && !(err instanceof ContinueAsNew) && !isCancellation(err)) {
      await health.check('failed', { error: clip(failureText(err), 2000) });
    }
    throw err;
  }
}

/** The innermost message: activity and child failures wrap the real one. */
function failureText(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause && typeof (e.cause as { message?: unknown }).message === 'string') e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/** The run's calls of the health check; what it answered last is shown in the run's Current Details. */
class HealthChecks {
  last: SyncHealthAnswer | null = null;
  lastAt = 0;
  previousRunClosedAt: string | null = null;
  constructor(private readonly o: SyncRunOptions) {}

  async check(moment: SyncHealthCheck['moment'], extra: Pick<SyncHealthCheck, 'outcome' | 'error'> = {}) {
    const { params } = this.o;
    this.lastAt = Date.now();
    try {
      this.last = await checkSyncHealth.executeWithOptions({ summary: `sync health check (${moment})` }, [
        {
          tenantId: params.tenantId,
          kind: this.o.kind,
          workflowId: workflowInfo().workflowId,
          moment,
          at: new Date(Date.now()).toISOString(),
          dryRun: params.dryRun,
          previousRunClosedAt: this.previousRunClosedAt,
          alertAfterSkippedRuns: params.alertAfterSkippedRuns ?? DEFAULT_ALERT_AFTER_SKIPPED_RUNS,
          ...extra,
        } satisfies SyncHealthCheck,
      ]);
    } catch (err) {
      log.warn('sync health check failed; the sync goes on', { moment, error: failureText(err) });
    }
  }
}

async function runSyncChecked(o: SyncRunOptions, health: HealthChecks | null): Promise<SyncResult> {
  const { params } = o;
  let state: SyncCarry;
  if (o.carry) {
    state = o.carry;
  } else {
    const begin = await beginSync.executeWithOptions({ summary: 'where the previous run left off' }, [
      { tenantId: params.tenantId, kind: o.kind },
    ]);
    state = {
      begin,
      syncDate: new Date(Date.now()).toISOString(),
      readFrom:
        params.fullScan || begin.previousWatermark === null
          ? EPOCH_WATERMARK
          : watermarkMinus(begin.previousWatermark, params.overlapMinutes),
      cursor: 0,
      pages: 0,
      tally: emptyTally(),
      failuresReport: null,
      reconciliationReport: null,
      notFullyAppliedReport: null,
      undecided: emptyUndecided(),
    };
  }
  const recheckIds = (state.begin.previousUndecided?.records ?? []).map((r) => r.id);
  const show = (phase: string) =>
    setCurrentDetails(renderDetails(o.title, params, state, phase, o.enabled, health?.last ?? null));
  if (health) {
    health.previousRunClosedAt = state.begin.previousRunClosedAt ?? null;
    if (!o.carry) await health.check('start');
  }

  if (o.enabled) {
    for (let done = false; !done;) {
      show('syncing');
      const r = await o.chunk({
        tenantId: params.tenantId,
        modifiedSince: state.readFrom,
        cutoverDate: params.cutoverDate,
        startAfterId: state.cursor,
        maxPages: PAGES_PER_CHUNK,
        pageSize: params.pageSize,
        dryRun: params.dryRun,
        syncDate: state.syncDate,
        ...(recheckIds.length > 0 ? { recheckIds } : {}),
      });
      state.cursor = r.cursor;
      state.pages += r.pages;
      state.tally = addTally(state.tally, r.tally);
      state.failuresReport = r.failuresReport;
      state.reconciliationReport = r.reconciliationReport;
      state.notFullyAppliedReport = r.notFullyAppliedReport ?? null;
      state.undecided = mergeUndecided(state.undecided ?? emptyUndecided(), r.undecided ?? emptyUndecided());
      done = r.done;
      if (health && !done && Date.now() - health.lastAt >= HEALTH_CHECK_EVERY_MS) await health.check('progress');
      const info = workflowInfo();
      if (!done && (info.continueAsNewSuggested || info.historyLength > MAX_EVENTS_PER_RUN)) {
        await o.continueWith(state);
      }
    }
  }

  const t = state.tally;
  const previous = state.begin.previousWatermark;
  const scanned = o.enabled && !params.dryRun;
  const mark = state.begin.scanMark;
  const advanced = !scanned || mark === null ? previous : previous !== null && previous > mark ? previous : mark;
  // A run that did not scan keeps the previous undecided set; one that did holds the watermark for its overflow.
  const undecided = scanned
    ? (state.undecided ?? emptyUndecided())
    : (state.begin.previousUndecided ?? emptyUndecided());
  const hold = scanned ? undecided.overflowFrom : null;
  const newWatermark = hold !== null && (advanced === null || hold < advanced) ? hold : advanced;
  const result: SyncResult = {
    tenantId: params.tenantId,
    dryRun: params.dryRun,
    examined: t.examined,
    created: t.created,
    alreadyInZuora: t.alreadyInZuora,
    synced: t.synced,
    skippedByReason: t.skippedByReason,
    failed: t.failed,
    eligibleRemaining: params.dryRun ? t.eligible : t.failed,
    reconciliationNeeded: t.reconciliationNeeded,
    reports: {
      failures: t.failed > 0 ? state.failuresReport : null,
      reconciliation: t.reconciliationNeeded > 0 ? state.reconciliationReport : null,
      notFullyApplied: (t.skippedByReason['not-fully-applied'] ?? 0) > 0 ? (state.notFullyAppliedReport ?? null) : null,
    },
    undecided,
    newWatermark,
    previousWatermark: previous,
    eligible: t.eligible,
    readFrom: state.readFrom,
  };
  await health?.check('end', {
    outcome: { examined: t.examined, failed: t.failed, failuresReport: result.reports.failures },
  });
  show('done');
  log.info('sync finished', {
    kind: o.kind,
    examined: t.examined,
    created: t.created,
    synced: t.synced,
    failed: t.failed,
    newWatermark,
  });
  return result;
}

function renderDetails(
  title: string,
  p: SyncRunOptions['params'],
  s: SyncCarry,
  phase: string,
  enabled: boolean,
  health: SyncHealthAnswer | null,
) {
  const t = s.tally;
  const skipped = Object.entries(t.skippedByReason)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `## ${title} — tenant \`${p.tenantId}\`${p.dryRun ? ' (dry run)' : ''}`,
    '',
    '| | |',
    '|---|---|',
    `| phase | **${enabled ? phase : 'disabled (nothing to sync)'}** |`,
    `| read from (lastmodifieddate) | ${s.readFrom}${p.cutoverDate ? `, cutover ${p.cutoverDate}` : ''} |`,
    `| examined / eligible | ${t.examined} / ${t.eligible} |`,
    `| created in Zuora / already there | ${t.created} / ${t.alreadyInZuora} |`,
    `| synced / failed | ${t.synced} / ${t.failed} |`,
    `| skipped | ${skipped || '—'} |`,
    `| to reconcile by hand | ${t.reconciliationNeeded} |`,
    ...(health
      ? [
          `| alerts open | ${health.open.join(', ') || 'none'}${health.untold ? ` (${health.untold} not sent yet)` : ''} |`,
        ]
      : []),
    s.failuresReport && t.failed > 0 ? `\nFailures: \`${s.failuresReport}\`` : '',
    s.reconciliationReport && t.reconciliationNeeded > 0 ? `\nReconciliation: \`${s.reconciliationReport}\`` : '',
  ].join('\n');
}

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
import { log, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import { IS_TENANT_ID } from '../shared/search-attributes';
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

  let state: SyncCarry;
  if (o.carry) {
    state = o.carry;
  } else {
    const begin = await beginSync({ tenantId: params.tenantId, kind: o.kind });
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
  const show = (phase: string) => setCurrentDetails(renderDetails(o.title, params, state, phase, o.enabled));

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

function renderDetails(title: string, p: SyncRunOptions['params'], s: SyncCarry, phase: string, enabled: boolean) {
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
    s.failuresReport && t.failed > 0 ? `\nFailures: \`${s.failuresReport}\`` : '',
    s.reconciliationReport && t.reconciliationNeeded > 0 ? `\nReconciliation: \`${s.reconciliationReport}\`` : '',
  ].join('\n');
}

// The NetSuite→Zuora sync contracts: inputs and results of syncNetSuiteCreditMemos and syncNetSuitePayments, and of
// the activities they run. Free of I/O: imported by workflows, activities and the client.
import { z } from 'zod';
import { tenantIdSchema } from './migration';
import { DEFAULT_ALERT_AFTER_SKIPPED_RUNS } from './sync-health';

const isoDate = z.iso.date({ message: 'must be a date such as 2026-01-31' });

/** What every NetSuite→Zuora sync run takes (the payment sync takes exactly this). */
const syncRunInputShape = {
  tenantId: tenantIdSchema,
  /** NetSuite records dated before this are never synced. */
  cutoverDate: isoDate.optional(),
  /** Re-read this many minutes before the last watermark: NetSuite's lastmodifieddate is not a strict order. */
  overlapMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10),
  /** Look at everything since the cutover (ignore the previous run's watermark): a backfill. */
  fullScan: z.boolean().default(false),
  /** Count what would be created; write nothing in Zuora or NetSuite. */
  dryRun: z.boolean().default(false),
  /** NetSuite candidates per page (SuiteQL allows ≤ 1000). */
  pageSize: z.number().int().min(1).max(1000).default(1000),
  /** Tell the operators after this many scheduled runs skipped in a row (docs/web-ui.md §4). */
  alertAfterSkippedRuns: z.number().int().min(1).max(1000).default(DEFAULT_ALERT_AFTER_SKIPPED_RUNS),
};

export const syncNetSuiteCreditMemosInputSchema = z
  .object({
    ...syncRunInputShape,
    /** The standard credit memo sync (fully applied to one Zuora invoice → Credit adjustment). Off by default. */
    standard: z.boolean().default(false),
    /** The negative balance sync (Zuora Type NEGATIVE_INVOICE → Charge + Credit adjustments). Off by default. */
    negativeBalance: z.boolean().default(false),
  })
  .strict();
export type SyncNetSuiteCreditMemosInput = z.input<typeof syncNetSuiteCreditMemosInputSchema>;
export type SyncNetSuiteCreditMemosParams = z.output<typeof syncNetSuiteCreditMemosInputSchema>;

export const syncNetSuitePaymentsInputSchema = z.object(syncRunInputShape).strict();
export type SyncNetSuitePaymentsInput = z.input<typeof syncNetSuitePaymentsInputSchema>;
export type SyncNetSuitePaymentsParams = z.output<typeof syncNetSuitePaymentsInputSchema>;

export type SyncResult = {
  tenantId: string;
  dryRun: boolean;
  /** Records examined (modified since the watermark, after the cutover). */
  examined: number;
  /** Zuora objects created (invoice adjustments or payments). */
  created: number;
  /** Records already synced earlier whose Zuora object was found by reference id (no second create). */
  alreadyInZuora: number;
  /** Records synced (written back Sync Complete in NetSuite). */
  synced: number;
  skippedByReason: Record<string, number>;
  failed: number;
  /** Eligible records left after the run (0 means drained). */
  eligibleRemaining: number;
  /** Credit memos unapplied in NetSuite after they synced: to reconcile by hand. */
  reconciliationNeeded: number;
  /**
   * `notFullyApplied`: the credit memos skipped as `not-fully-applied`, one line each with its number (the upgrade's
   * final sync lists them: after Invoice Settlement they can never sync). Absent in results recorded before it.
   */
  reports: { failures: string | null; reconciliation: string | null; notFullyApplied?: string | null };
  /**
   * Records skipped for a reason that can change without the record itself changing (its invoice has no Zuora ID yet,
   * a failure, an amount that could not be read): the next run reads them again whatever their lastmodifieddate.
   * Absent in results of runs before this field existed.
   */
  undecided?: UndecidedSet;
  /**
   * NetSuite lastmodifieddate (`YYYY-MM-DDTHH:MM:SS`, account time zone) up to which this run saw every record: the
   * next run reads from it minus its overlapMinutes. A dry run keeps the previous watermark (it wrote nothing).
   */
  newWatermark: string | null;
  previousWatermark: string | null;
  /** Records that met every rule (created, found in Zuora, refused, or — dry run — would be created). */
  eligible: number;
  /** The lastmodifieddate this run read from (previous watermark minus the overlap; epoch for a full scan). */
  readFrom: string;
};

/** Workflow types of the syncs (the visibility query for the previous run's watermark uses them). */
export const SYNC_WORKFLOW_TYPES = {
  'credit-memo': 'syncNetSuiteCreditMemos',
  payment: 'syncNetSuitePayments',
} as const;
export type SyncKind = keyof typeof SYNC_WORKFLOW_TYPES;

export const DEFAULT_SYNC_INTERVAL = '30m';

/** `YYYY-MM-DDTHH:MM:SS` — how the NetSuite queries read and return lastmodifieddate. */
export const WATERMARK_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
/** "Since the beginning": the read-from of a run without a watermark (the cutover date still applies). */
export const EPOCH_WATERMARK = '1970-01-01T00:00:00';

/** `watermark` minus `minutes`, in the same zone-less format (pure arithmetic: safe in workflow code). */
export function watermarkMinus(watermark: string, minutes: number): string {
  if (!WATERMARK_PATTERN.test(watermark)) throw new RangeError(`not a watermark: ${watermark}`);
  const ms = Date.parse(`${watermark}Z`) - minutes * 60_000;
  if (Number.isNaN(ms)) throw new RangeError(`not a watermark: ${watermark}`);
  const text = new Date(Math.max(0, ms)).toISOString().slice(0, 19);
  return text;
}

/** The undecided set's bound: re-read by id every run, so it stays one SuiteQL `IN` list (Oracle allows 1000). */
export const MAX_UNDECIDED = 1000;

const undecidedMemoSchema = z.object({
  id: z.string().regex(/^\d+$/),
  lastModified: z.string().regex(WATERMARK_PATTERN),
});
export const undecidedSetSchema = z.object({
  records: z.array(undecidedMemoSchema).max(MAX_UNDECIDED),
  /**
   * Set when more than MAX_UNDECIDED records were undecided: the oldest lastmodifieddate of those left out of
   * `records`. The run's new watermark is held at or before it, so the scan itself reads them again.
   */
  overflowFrom: z.string().regex(WATERMARK_PATTERN).nullable(),
});
export type UndecidedRecord = z.infer<typeof undecidedMemoSchema>;
export type UndecidedSet = z.infer<typeof undecidedSetSchema>;

export const emptyUndecided = (): UndecidedSet => ({ records: [], overflowFrom: null });

const minText = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);

/**
 * Union of two undecided sets, bounded: the records modified longest ago are kept by id (the watermark scan would
 * reach them last); the rest are covered by holding the watermark at `overflowFrom`. Deterministic (workflow code).
 */
export function mergeUndecided(a: UndecidedSet, b: UndecidedSet): UndecidedSet {
  const byId = new Map<string, UndecidedRecord>();
  for (const r of [...a.records, ...b.records]) byId.set(r.id, r);
  const all = [...byId.values()].sort((x, y) =>
    x.lastModified === y.lastModified ? Number(x.id) - Number(y.id) : x.lastModified < y.lastModified ? -1 : 1,
  );
  const kept = all.slice(0, MAX_UNDECIDED);
  const dropped = all[MAX_UNDECIDED]?.lastModified ?? null;
  return { records: kept, overflowFrom: minText(minText(a.overflowFrom, b.overflowFrom), dropped) };
}

/** The fields of a finished run's result that the next run reads (validated: results are data from history). */
export const syncResultWatermarkSchema = z.object({
  dryRun: z.boolean(),
  newWatermark: z.string().regex(WATERMARK_PATTERN).nullable(),
  undecided: undecidedSetSchema.optional(),
});

/** Counts a sync run accumulates, chunk by chunk (the only per-run data that enters workflow history). */
export type SyncTally = {
  examined: number;
  eligible: number;
  created: number;
  alreadyInZuora: number;
  synced: number;
  failed: number;
  reconciliationNeeded: number;
  skippedByReason: Record<string, number>;
};

export const emptyTally = (): SyncTally => ({
  examined: 0,
  eligible: 0,
  created: 0,
  alreadyInZuora: 0,
  synced: 0,
  failed: 0,
  reconciliationNeeded: 0,
  skippedByReason: {},
});

export function addTally(into: SyncTally, t: SyncTally): SyncTally {
  const skippedByReason = { ...into.skippedByReason };
  for (const [k, v] of Object.entries(t.skippedByReason)) skippedByReason[k] = (skippedByReason[k] ?? 0) + v;
  return {
    examined: into.examined + t.examined,
    eligible: into.eligible + t.eligible,
    created: into.created + t.created,
    alreadyInZuora: into.alreadyInZuora + t.alreadyInZuora,
    synced: into.synced + t.synced,
    failed: into.failed + t.failed,
    reconciliationNeeded: into.reconciliationNeeded + t.reconciliationNeeded,
    skippedByReason,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The sync activities' inputs and results (src/activities/sync/): shapes the workflows share

export type BeginSyncResult = {
  previousWatermark: string | null;
  /** Workflow id of the run the watermark came from. */
  previousRun: string | null;
  /** When that run closed (ISO); optional: results recorded before it lack it. */
  previousRunClosedAt?: string | null;
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

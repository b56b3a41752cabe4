// The migrateCreditMemos contract: input, progress query and result. Imported by the workflow, the activities and
// the client alike, so it must stay free of I/O.
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { breakerOptionsSchema } from './migration-breaker';
import type { MigrationControlView } from './migration-control';

/** Reason code Zuora gives the credit memos it creates from negative invoices when it enables Invoice Settlement. */
export const MIGRATED_CREDIT_MEMO_REASON_CODE = 'AR Mig - negative invoice';

/**
 * The Data Query that finds what is left to do. Re-run after every pass. Data Query is SQL (docs/zuora.md §2): a null
 * Transferred To Accounting matches neither `=` nor `<>`, so null is asked for explicitly — the seed wants every memo
 * its filter finds set to Yes, whatever it held (null, No, Processing, Error, Ignore). It selects that value too: the
 * manifest's value before (src/activities/manifest.ts), which a revert sets back.
 */
export const REMAINING_MIGRATED_CREDIT_MEMOS_QUERY =
  `select id, memonumber, transferredtoaccounting from creditmemo where reasoncode = '${MIGRATED_CREDIT_MEMO_REASON_CODE}' ` +
  `and (transferredtoaccounting is null or transferredtoaccounting <> 'Yes')`;

/**
 * The verification: the seed's own filter (seed 000), counted by Transferred To Accounting. Done only when every
 * group is Yes; a null group comes back as its own row.
 */
export const MIGRATED_CREDIT_MEMOS_BY_TRANSFER_QUERY =
  `select transferredtoaccounting, count(*) as memos from creditmemo ` +
  `where reasoncode = '${MIGRATED_CREDIT_MEMO_REASON_CODE}' group by transferredtoaccounting`;

/** How many memos the seed's filter finds per Transferred To Accounting value (null: the field is empty). */
export type TransferCount = { transferredToAccounting: string | null; memos: number };

/** Memos of the counts that are not Yes: what still has to change. */
export function notYesIn(counts: readonly TransferCount[]): number {
  return counts.reduce((n, c) => (c.transferredToAccounting === 'Yes' ? n : n + c.memos), 0);
}

/** `Yes 120, No 3, (empty) 2`: the counts as operators read them, Yes first. */
export function describeTransferCounts(counts: readonly TransferCount[]): string {
  if (counts.length === 0) return 'no migrated credit memos';
  return [...counts]
    .sort((a, b) =>
      a.transferredToAccounting === 'Yes' ? -1 : b.transferredToAccounting === 'Yes' ? 1 : b.memos - a.memos,
    )
    .map((c) => `${c.transferredToAccounting ?? '(empty)'} ${c.memos}`)
    .join(', ');
}

export const tenantIdSchema = z
  .string({ message: 'tenantId is required' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'tenantId must be 1-63 letters, digits, "-" or "_"');

export const migrateCreditMemosOptionsSchema = z.object({
  /** Count and sample what would change; write nothing. */
  dryRun: z.boolean().default(false),
  /**
   * Deprecated (docs/tenant-budget.md §5): the tenant's limit is the workers' ZUORA_CONCURRENCY_LIMIT, which the tenant
   * budget enforces across processes. Still accepted (old inputs, recorded histories); it bounds setConcurrency and
   * the default concurrencyBudget, which the lease caps at the worker's budget.
   */
  tenantConcurrencyLimit: z.number().int().positive().default(40),
  /** Requests in flight at most; defaults to 80% of the tenant limit, leaving room for other integrations. */
  concurrencyBudget: z.number().int().positive().optional(),
  /** Rows of the query result one activity handles: larger means fewer history events, smaller finer progress. */
  chunkRows: z.number().int().min(50).max(1_000_000).default(100_000),
  /** A pass is one query and the updates of what it found; stop after this many even if progress continues. */
  maxPasses: z.number().int().positive().max(100).default(10),
  /** Memos written to the dry-run sample report. */
  sampleSize: z.number().int().min(0).max(1000).default(20),
  /** A worker that dies mid-chunk is noticed after this long, and the chunk resumes from its last heartbeat. */
  heartbeatTimeoutSeconds: z.number().int().min(2).max(600).default(30),
  /** Continue-as-new once a run's history passes this many events (well under Temporal's 10K warning). */
  continueAsNewAfterEvents: z.number().int().min(50).max(9_000).default(5_000),
  /** When Zuora refuses too many memos the migration pauses itself (shared/migration-breaker.ts). */
  breaker: breakerOptionsSchema.prefault({}),
  /** INFERRED: how long a Data Query result outlives a pause is undocumented; after a longer pause, query afresh. */
  requeryAfterPauseMinutes: z.number().int().min(0).max(10_080).default(30),
  /** Report folder of the manifest (default: this workflow's); the upgrade's canary and migration share one. */
  manifestKey: z.string().min(1).max(200).optional(),
  /** The canary: write at most this many memos (one pass, no verification), then stop. */
  limitRows: z.number().int().min(1).max(1_000_000).optional(),
});

export const migrateCreditMemosInputSchema = z
  .object({ tenantId: tenantIdSchema })
  .extend(migrateCreditMemosOptionsSchema.shape)
  .refine((i) => i.concurrencyBudget === undefined || i.concurrencyBudget <= i.tenantConcurrencyLimit, {
    message: 'concurrencyBudget may not exceed tenantConcurrencyLimit',
    path: ['concurrencyBudget'],
  });

export type MigrateCreditMemosInput = z.input<typeof migrateCreditMemosInputSchema>;
export type MigrateCreditMemosParams = z.output<typeof migrateCreditMemosInputSchema>;

export function concurrencyBudgetOf(p: Pick<MigrateCreditMemosParams, 'concurrencyBudget' | 'tenantConcurrencyLimit'>) {
  return p.concurrencyBudget ?? Math.max(1, Math.floor(p.tenantConcurrencyLimit * 0.8));
}

/** Counters of the whole migration (all passes, all runs of a continue-as-new chain). */
export type MigrationCounters = {
  /** Memos the first query found. */
  totalFound: number;
  updated: number;
  /** Items refused with a non-retryable code (memo by memo, in the failure report). */
  failed: number;
  /** Requests Zuora answered with a retryable error that the client retried. */
  retries: number;
  /** Milliseconds spent held back by Retry-After. */
  throttledMs: number;
  passes: number;
  /** Rows handled in the current pass. */
  passRowsDone: number;
  passRows: number;
  /** Chunks that resumed from a fresh query after their worker died. */
  resumes: number;
};

export type MigrationProgress = MigrationCounters & {
  phase: 'querying' | 'updating' | 'verifying' | 'paused' | 'done' | 'failed';
  dryRun: boolean;
  concurrencyBudget: number;
  /** Memos per second over the updating time so far. */
  rate: number;
  /** Estimated seconds to finish every pass (shared/migration-eta.ts; older runs: the current pass); null when unknown. */
  etaSeconds: number | null;
  /** Pause, concurrency and breaker (absent in migrations started before them). */
  control?: MigrationControlView;
  remainingAtLastQuery: number | null;
  /** The seed's filter counted by Transferred To Accounting, as of the first query or the latest verification. */
  byTransferredToAccounting?: TransferCount[];
  startedAt: string;
  reportDir: string | null;
};

export type MigrateCreditMemosResult = {
  tenantId: string;
  dryRun: boolean;
  /** true when a fresh query after the last pass found nothing left. */
  verified: boolean;
  /** What the last query found (0 when verified). */
  remaining: number;
  counters: MigrationCounters;
  /** Where the full per-memo reports are (failures, dry-run sample). Per-memo data never enters history. */
  reports: {
    dir: string | null;
    failures: string | null;
    dryRunSample: string | null;
    /** Every memo the migration wrote, with its value before (absent in runs from before the manifest). */
    manifest?: MigrationManifestSummary | null;
  };
  stoppedBecause: 'verified' | 'no-progress' | 'max-passes' | 'dry-run' | 'count-not-all-yes' | 'canary';
  /**
   * The seed's filter counted by Transferred To Accounting when the run ended (absent in runs that started before
   * the count existed). `verified` needs every memo in the Yes group.
   */
  byTransferredToAccounting?: TransferCount[];
  seconds: number;
};

/** The consolidated manifest: where, its sha256 (also in `<location>.sha256`), memos in it and how many changed. */
export type MigrationManifestSummary = { location: string; sha256: string; memos: number; changed: number };

/** State carried across continue-as-new. */
export type MigrationCarryOver = { counters: MigrationCounters; startedAt: number; updatingMs: number };

export const progressQuery = defineQuery<MigrationProgress>('progress');

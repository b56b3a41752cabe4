// Syncs that fail loudly (docs/web-ui.md §4): what a sync run tells the health check at its start, while it runs,
// at its end or when it fails, and what the check keeps between runs. Free of I/O: the sync workflows build the
// check (types only), the activity validates it (src/activities/sync/health.ts) and applies the pure rules
// (src/activities/sync/health-rules.ts).
import { z } from 'zod';
import { tenantIdSchema } from './migration';

/** The conditions an operator is told about, once per episode (opened, then resolved). */
export const SYNC_CONDITIONS = ['failed', 'partial', 'skipped', 'stale'] as const;
export type SyncCondition = (typeof SYNC_CONDITIONS)[number];

/** Default N of "N consecutive skipped runs" (the sync input's alertAfterSkippedRuns). */
export const DEFAULT_ALERT_AFTER_SKIPPED_RUNS = 3;
/** A watermark not refreshed for this many schedule intervals is stale (issue 14 point 6). */
export const STALE_AFTER_INTERVALS = 3;

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO date-time' });

export const syncHealthCheckSchema = z
  .object({
    tenantId: tenantIdSchema,
    kind: z.enum(['credit-memo', 'payment']),
    workflowId: z.string().min(1).max(400),
    /** start: after beginSync; progress: between chunks of a long run; end: completed; failed: the run failed. */
    moment: z.enum(['start', 'progress', 'end', 'failed']),
    /** The workflow's clock. */
    at: isoTime,
    dryRun: z.boolean(),
    /** When the completed run holding the watermark closed (null: none found). */
    previousRunClosedAt: isoTime.nullable(),
    alertAfterSkippedRuns: z.number().int().min(1).max(1000),
    /** At `end`: what the run did. */
    outcome: z
      .object({
        examined: z.number().int().min(0),
        failed: z.number().int().min(0),
        failuresReport: z.string().max(2000).nullable(),
      })
      .strict()
      .optional(),
    /** At `failed`: the reason (clipped). */
    error: z.string().max(2000).optional(),
  })
  .strict();
export type SyncHealthCheck = z.infer<typeof syncHealthCheckSchema>;

/** One episode of a condition: opened by a run, told once, closed by a later run. */
export const episodeSchema = z.object({
  since: isoTime,
  workflowId: z.string(),
  title: z.string(),
  text: z.string(),
  /** The opening notification reached the channel. */
  notified: z.boolean(),
});
export type Episode = z.infer<typeof episodeSchema>;

export const syncHealthStateSchema = z.object({
  /**
   * The schedule's count of skipped actions (overlap skips plus runs missed past the catch-up window, both
   * cumulative since the schedule was created) when the last scheduled run began: later skips are consecutive.
   */
  skipBaseline: z.number().int().min(0).nullable(),
  open: z.partialRecord(z.enum(SYNC_CONDITIONS), episodeSchema),
  /** Episodes closed whose "resolved" notification has not reached the channel yet. */
  resolved: z.array(episodeSchema.extend({ condition: z.enum(SYNC_CONDITIONS), at: isoTime })),
});
export type SyncHealthState = z.infer<typeof syncHealthStateSchema>;

export const emptySyncHealth = (): SyncHealthState => ({ skipBaseline: null, open: {}, resolved: [] });

/** What the check answers the run (shown in its Current Details). */
export type SyncHealthAnswer = { open: SyncCondition[]; told: number; untold: number };

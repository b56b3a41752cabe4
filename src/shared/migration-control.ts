// Operator control of a running credit memo migration (issue 14 §2; docs/product.md, "The operator contract"): the
// messages migrateCreditMemos takes — pause, resume, setConcurrency, each a signal and an update of the same name,
// like the upgrade's — and the `control` query its chunk activity reads about once a second between batches.
// Imported by the workflow, the activity and the CLI alike: free of I/O.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { pauseSchema, resumeSchema, type MessageOutcome } from './upgrade';

/** The largest concurrency any message may ask for; the workflow also holds it to the tenant's limit. */
export const CONCURRENCY_CEILING = 1_000;

export const migrationControlSchemas = {
  /** Stop dispatching batches; those in flight finish. */
  pause: pauseSchema,
  /** Go on; `breaker: "off"` also switches the breaker off for the rest of this migration. */
  resume: resumeSchema.extend({
    breaker: z.enum(['on', 'off'], { message: 'breaker, when given, must be "on" or "off"' }).optional(),
  }),
  /** Requests in flight at most, from the next batch on. */
  setConcurrency: pauseSchema.pick({ by: true }).extend({
    concurrency: z
      .number({ message: 'concurrency is required: requests in flight at most (a whole number ≥ 1)' })
      .int('concurrency must be a whole number')
      .min(1, 'concurrency must be at least 1')
      .max(CONCURRENCY_CEILING, `concurrency must be at most ${CONCURRENCY_CEILING}`),
  }),
} as const;
export type MigrationControlName = keyof typeof migrationControlSchemas;
export type MigrationControlPayload<K extends MigrationControlName> = z.infer<(typeof migrationControlSchemas)[K]>;

export const MIGRATION_CONTROL_DEFINITIONS: {
  [K in MigrationControlName]: {
    signal: SignalDefinition<[MigrationControlPayload<K>]>;
    update: UpdateDefinition<MessageOutcome, [MigrationControlPayload<K>]>;
  };
} = {
  pause: { signal: defineSignal('pause'), update: defineUpdate('pause') },
  resume: { signal: defineSignal('resume'), update: defineUpdate('resume') },
  setConcurrency: { signal: defineSignal('setConcurrency'), update: defineUpdate('setConcurrency') },
};

/** Who paused the migration, and why: an operator, or the breaker (`by: "breaker"`). */
export type MigrationPause = { by: string; reason: string; at: string; source: 'operator' | 'breaker' };

/** One control message as the migration recorded it (the newest few are kept). */
export type ControlEvent = {
  at: string;
  message: MigrationControlName | 'breaker';
  by: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  detail: string;
};

/** The control state the migration holds and carries across continue-as-new. */
export type MigrationControlState = {
  paused: MigrationPause | null;
  concurrency: number;
  /** Set when an operator resumed with `breaker: "off"`. */
  breakerOff: { by: string; at: string } | null;
  /** Times the breaker paused this migration. */
  trips: number;
  events: ControlEvent[];
};

/** What the progress query shows of it: the state, the tenant's limit, and since when it is paused. */
export type MigrationControlView = MigrationControlState & { concurrencyLimit: number };

/** What the chunk activity reads between batches. */
export const liveControlSchema = z.object({
  paused: z.boolean(),
  concurrency: z.number().int().min(1).max(CONCURRENCY_CEILING),
});
export type LiveControl = z.infer<typeof liveControlSchema>;
export const liveControlQuery = defineQuery<LiveControl>('control');

/**
 * What a migration child tells its upgrade when it stops for a pause and when it goes on again (issue 14 §2): the
 * upgrade then shows "waiting on operator" (status, IsWaitingOn) while its migration is paused. A signal, sent from
 * the child's main loop only when the pause takes effect and ends — one event each way, nothing per batch.
 */
export const migrationPauseNoticeSchema = z.object({
  /** The child that sent it (its workflow id). */
  migration: z.string().min(1).max(300),
  /** null: it goes on again. */
  paused: z
    .object({
      by: z.string().max(500),
      reason: z.string().max(500),
      at: z.string().max(100),
      source: z.enum(['operator', 'breaker']),
    })
    .nullable(),
});
export type MigrationPauseNotice = z.infer<typeof migrationPauseNoticeSchema>;
export const migrationPauseNoticeSignal = defineSignal<[MigrationPauseNotice]>('migrationPauseNotice');

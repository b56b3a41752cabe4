// The Temporal Schedules that run the NetSuite→Zuora syncs (ids in docs/product.md). Used by the upgrade's activities
// (pause the credit memo sync, switch to the payment sync) and by the CLI.
import {
  type Backfill,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import { IS_TENANT_ID } from '../shared/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import {
  DEFAULT_SYNC_INTERVAL,
  SYNC_WORKFLOW_TYPES,
  type SyncKind,
  type SyncNetSuiteCreditMemosInput,
  type SyncNetSuitePaymentsInput,
} from '../shared/sync';
import { creditMemoScheduleId, paymentScheduleId } from '../shared/upgrade';
import { syncSummary } from '../shared/web-ui';

export const scheduleIdOf = (kind: SyncKind, tenantId: string) =>
  kind === 'credit-memo' ? creditMemoScheduleId(tenantId) : paymentScheduleId(tenantId);

export type EnsureScheduleOptions = {
  kind: SyncKind;
  tenantId: string;
  /** e.g. "30m" (the default; Zuora advises at least 30 minutes). */
  interval?: string;
  input: SyncNetSuiteCreditMemosInput | SyncNetSuitePaymentsInput;
  taskQueue?: string;
  paused?: boolean;
  note?: string;
};

export type ScheduleSummary = {
  scheduleId: string;
  exists: boolean;
  paused?: boolean;
  note?: string;
  created?: boolean;
};

/**
 * Create the schedule, or — if it exists — leave it as it is but unpaused when asked to run. Idempotent, so an
 * activity retry or a second `schedules create` never makes a second schedule.
 */
export async function ensureSyncSchedule(client: Client, o: EnsureScheduleOptions): Promise<ScheduleSummary> {
  const scheduleId = scheduleIdOf(o.kind, o.tenantId);
  const interval = o.interval ?? DEFAULT_SYNC_INTERVAL;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: interval as `${number}m` }] },
      action: {
        type: 'startWorkflow',
        workflowType: SYNC_WORKFLOW_TYPES[o.kind],
        workflowId: `${scheduleId}-run`,
        args: [o.input],
        taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE,
        // Visibility finds a tenant's runs (and the previous run's watermark) by this attribute from the start.
        typedSearchAttributes: [{ key: IS_TENANT_ID, value: o.tenantId }],
        staticSummary: syncSummary(o.kind, o.tenantId, `schedule ${scheduleId}, every ${interval}`),
      },
      // The connector skips a run while the previous one is still going; so do we.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h', pauseOnFailure: false },
      state: { paused: o.paused ?? false, note: o.note },
    });
    return { scheduleId, exists: true, paused: o.paused ?? false, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    const d = await handle.describe();
    if (!o.paused && d.state.paused) await handle.unpause(o.note ?? 'resumed');
    return { scheduleId, exists: true, paused: o.paused ?? false, created: false };
  }
}

export async function describeSyncSchedule(
  client: Client,
  kind: SyncKind,
  tenantId: string,
): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleIdOf(kind, tenantId)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

export function pauseSyncSchedule(
  client: Client,
  kind: SyncKind,
  tenantId: string,
  note: string,
): Promise<ScheduleSummary> {
  return setPaused(client, kind, tenantId, true, note);
}

/** Pauses or unpauses the schedule unless it already is; a schedule that does not exist is `exists: false`. */
async function setPaused(
  client: Client,
  kind: SyncKind,
  tenantId: string,
  paused: boolean,
  note: string,
): Promise<ScheduleSummary> {
  const scheduleId = scheduleIdOf(kind, tenantId);
  const d = await describeSyncSchedule(client, kind, tenantId);
  if (!d) return { scheduleId, exists: false };
  const handle = client.schedule.getHandle(scheduleId);
  if (d.state.paused !== paused) await (paused ? handle.pause(note) : handle.unpause(note));
  return { scheduleId, exists: true, paused, note };
}

/** Runs `action` on the schedule; a schedule that does not exist is an answer (`exists: false`), not an error. */
async function onExisting(scheduleId: string, action: () => Promise<ScheduleSummary>): Promise<ScheduleSummary> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { scheduleId, exists: false };
    throw err;
  }
}

export async function deleteSyncSchedule(client: Client, kind: SyncKind, tenantId: string): Promise<ScheduleSummary> {
  const scheduleId = scheduleIdOf(kind, tenantId);
  return onExisting(scheduleId, async () => {
    await client.schedule.getHandle(scheduleId).delete();
    return { scheduleId, exists: false };
  });
}

export function unpauseSyncSchedule(
  client: Client,
  kind: SyncKind,
  tenantId: string,
  note: string,
): Promise<ScheduleSummary> {
  return setPaused(client, kind, tenantId, false, note);
}

/**
 * Run the sync now. SKIP by default, like the schedule itself: if a run is still going, this trigger does nothing
 * (Temporal's default for a trigger would be ALLOW_ALL, i.e. two runs at once on the same records).
 */
export async function triggerSyncSchedule(
  client: Client,
  kind: SyncKind,
  tenantId: string,
  overlap: ScheduleOverlapPolicy = ScheduleOverlapPolicy.SKIP,
): Promise<ScheduleSummary> {
  const scheduleId = scheduleIdOf(kind, tenantId);
  return onExisting(scheduleId, async () => {
    await client.schedule.getHandle(scheduleId).trigger(overlap);
    return { scheduleId, exists: true };
  });
}

/**
 * The runs the schedule would have started between `start` and `end` (e.g. while the worker was down). With the
 * schedule's SKIP policy the backfilled actions do not pile up: each sync run reads from the previous run's
 * watermark, so one run catches up on the whole period. For a re-read of everything since the cutover, start one run
 * with `fullScan: true` instead.
 */
export async function backfillSyncSchedule(
  client: Client,
  kind: SyncKind,
  tenantId: string,
  period: { start: Date; end: Date; overlap?: ScheduleOverlapPolicy },
): Promise<ScheduleSummary> {
  const scheduleId = scheduleIdOf(kind, tenantId);
  const backfill: Backfill = {
    start: period.start,
    end: period.end,
    overlap: period.overlap ?? ScheduleOverlapPolicy.SKIP,
  };
  return onExisting(scheduleId, async () => {
    await client.schedule.getHandle(scheduleId).backfill(backfill);
    return { scheduleId, exists: true };
  });
}

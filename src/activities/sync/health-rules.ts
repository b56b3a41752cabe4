// The rules of syncs that fail loudly (docs/web-ui.md §4), pure: from the kept state, what a run reports and what
// the schedule says, which conditions open or close. An episode is told once when it opens and once when it is
// resolved, however many runs it lasts; a notification that could not be sent stays due for the next check.
import type { Notification } from '../../notifier/notifier';
import {
  STALE_AFTER_INTERVALS,
  type Episode,
  type SyncCondition,
  type SyncHealthCheck,
  type SyncHealthState,
} from '../../shared/sync-health';

/** What the schedule says (null: the run has no schedule, e.g. no schedule created yet). */
export type ScheduleView = {
  /** The spec's interval; null when the schedule is not a plain interval. */
  intervalMs: number | null;
  /** Actions the schedule skipped (overlap) or missed (catch-up window), cumulative since it was created. */
  skippedTotal: number;
};

const TITLE: Record<SyncHealthCheck['kind'], string> = {
  'credit-memo': 'NetSuite credit memo sync',
  payment: 'NetSuite payment sync',
};

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/**
 * The state after one check. `scheduledRun`: the run was started by the tenant's schedule (only those runs make
 * the schedule skip; a run of the upgrade or a backfill does not move the skip baseline).
 */
export function assessSyncHealth(
  prev: SyncHealthState,
  c: SyncHealthCheck,
  schedule: ScheduleView | null,
  scheduledRun: boolean,
): SyncHealthState {
  const s: SyncHealthState = {
    skipBaseline: prev.skipBaseline,
    open: { ...prev.open },
    resolved: [...prev.resolved],
  };
  const title = TITLE[c.kind];
  const open = (condition: SyncCondition, what: string, text: string) => {
    if (s.open[condition]) return; // the same episode: told already (or due)
    s.open[condition] = { since: c.at, workflowId: c.workflowId, title: `${title}: ${what}`, text, notified: false };
  };
  const close = (condition: SyncCondition) => {
    const e = s.open[condition];
    if (!e) return;
    delete s.open[condition];
    s.resolved.push({ ...e, condition, at: c.at });
  };

  // A run that failed, or that finished with records that failed.
  if (c.moment === 'failed') {
    open('failed', 'a run failed', `Run ${c.workflowId} failed: ${c.error ?? 'no reason given'}.`);
  }
  if (c.moment === 'end') {
    close('failed');
    const o = c.outcome;
    if (o && o.failed > 0) {
      open(
        'partial',
        'records failed',
        `Run ${c.workflowId}: ${o.failed} of ${o.examined} record(s) examined failed` +
          `${o.failuresReport ? ` (report ${o.failuresReport})` : ''}; the next run reads them again.`,
      );
    } else if (o) close('partial');
  }

  // Consecutive skipped runs: the schedule's skips since the last scheduled run began.
  if (schedule && scheduledRun) {
    const streak = s.skipBaseline === null ? null : schedule.skippedTotal - s.skipBaseline;
    if (streak !== null && streak >= c.alertAfterSkippedRuns && c.moment !== 'end') {
      open(
        'skipped',
        `${streak} scheduled runs skipped in a row`,
        `The schedule skipped ${streak} runs in a row (the previous run was still going, or the runs were missed); ` +
          `run ${c.workflowId} is ${c.moment === 'start' ? 'the first to start since' : 'still going'}.`,
      );
    }
    if (c.moment === 'start') s.skipBaseline = schedule.skippedTotal;
    // A run that ended within fewer than N skips: the runs follow each other again.
    if (c.moment === 'end' && (streak === null || streak < c.alertAfterSkippedRuns)) close('skipped');
  }

  // A watermark not refreshed (no completed run) for more than three intervals of the schedule.
  const interval = schedule?.intervalMs ?? null;
  if (interval !== null && c.previousRunClosedAt !== null && c.moment !== 'end') {
    const age = Date.parse(c.at) - Date.parse(c.previousRunClosedAt);
    if (age > STALE_AFTER_INTERVALS * interval) {
      open(
        'stale',
        `watermark older than ${STALE_AFTER_INTERVALS} intervals`,
        `The last completed run closed at ${c.previousRunClosedAt}, ${minutes(age)} ago (the schedule runs every ` +
          `${minutes(interval)}): records changed since then wait.`,
      );
    }
  }
  if (c.moment === 'end' && !c.dryRun) close('stale');
  return s;
}

const dedupeKey = (c: Pick<SyncHealthCheck, 'tenantId' | 'kind'>, condition: SyncCondition, e: Episode) =>
  `sync:${c.tenantId}:${c.kind}:${condition}:${e.since}`;

/** The notification that an episode opened. */
export function openedNotification(
  c: Pick<SyncHealthCheck, 'tenantId' | 'kind'>,
  condition: SyncCondition,
  e: Episode,
): Notification {
  return {
    kind: 'failure',
    tenantId: c.tenantId,
    workflowId: e.workflowId,
    title: e.title,
    text: `${e.text}\nSince ${e.since}. Told once; you hear again when it is resolved.`,
    dedupeKey: dedupeKey(c, condition, e),
  };
}

/** The notification that an episode was resolved. */
export function resolvedNotification(
  c: Pick<SyncHealthCheck, 'tenantId' | 'kind'>,
  r: SyncHealthState['resolved'][number],
): Notification {
  return {
    kind: 'info',
    tenantId: c.tenantId,
    workflowId: r.workflowId,
    title: `Resolved — ${r.title}`,
    text: `${r.notified ? '' : `${r.text}\n`}From ${r.since} to ${r.at}.`,
    dedupeKey: `${dedupeKey(c, r.condition, r)}:resolved`,
  };
}

// The health check a sync run calls at its start, between long chunks, at its end and when it fails (docs/web-ui.md
// §4): reads the schedule (skips, interval), applies the rules (./health-rules.ts) to the kept state
// (./health-store.ts), and tells the operators' channel what opened or was resolved. A channel that is down never
// fails the check: what could not be sent stays due, is sent by the next check, and keeps its dedupe key.
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../shared/failures';
import { describeZodError } from '../../shared/zod-errors';
import type { Notifier } from '../../notifier/notifier';
import type { ReportStore } from '../../reports/report-store';
import { syncHealthCheckSchema, type SyncHealthAnswer, type SyncCondition } from '../../shared/sync-health';
import { describeSyncSchedule, scheduleIdOf } from '../../temporal/schedules';
import { assertTenant } from '../common';
import { assessSyncHealth, openedNotification, resolvedNotification, type ScheduleView } from './health-rules';
import { readSyncHealth, syncHealthPath, writeSyncHealth } from './health-store';

export type SyncHealthDeps = { temporal: Client; reports: ReportStore; notifier: Notifier; tenantId: string };

export function createSyncHealthActivities({ temporal, reports, notifier, tenantId }: SyncHealthDeps) {
  return {
    /** One check of a sync run's health; tells each episode once. Never throws for the channel. */
    async checkSyncHealth(raw: unknown): Promise<SyncHealthAnswer> {
      const parsed = syncHealthCheckSchema.safeParse(raw);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(
          `Invalid checkSyncHealth input: ${describeZodError(parsed.error)}`,
          FailureType.InvalidInput,
        );
      }
      const c = parsed.data;
      assertTenant(tenantId, c.tenantId);
      let schedule: ScheduleView | null = null;
      try {
        const d = await describeSyncSchedule(temporal, c.kind, c.tenantId);
        if (d) {
          schedule = {
            intervalMs: d.spec.intervals?.[0]?.every ?? null,
            skippedTotal:
              Number(d.info.numActionsSkippedOverlap ?? 0) + Number(d.info.numActionsMissedCatchupWindow ?? 0),
          };
        }
      } catch (err) {
        log.warn('sync schedule not readable for the health check', { error: (err as Error).message });
      }
      // Runs started by the schedule have ids `<scheduleId>-run-<time>` (src/temporal/schedules.ts).
      const scheduledRun = c.workflowId.startsWith(`${scheduleIdOf(c.kind, c.tenantId)}-run`);
      const path = syncHealthPath(reports, c.tenantId, c.kind);
      const state = assessSyncHealth(readSyncHealth(path), c, schedule, scheduledRun);
      writeSyncHealth(path, state); // before telling: a retry of this check tells again only what is still due

      let told = 0;
      let channelDown = false;
      const send = async (n: Parameters<Notifier['notify']>[0]) => {
        if (channelDown) return false;
        try {
          await notifier.notify(n);
          told++;
          return true;
        } catch (err) {
          channelDown = true;
          log.warn('sync alert not sent; it stays due for the next check', { error: (err as Error).message });
          return false;
        }
      };
      for (const [condition, e] of Object.entries(state.open) as [
        SyncCondition,
        NonNullable<(typeof state.open)[SyncCondition]>,
      ][]) {
        if (!e.notified && (await send(openedNotification(c, condition, e)))) e.notified = true;
      }
      const untoldResolved = [];
      for (const r of state.resolved) if (!(await send(resolvedNotification(c, r)))) untoldResolved.push(r);
      state.resolved = untoldResolved;
      writeSyncHealth(path, state);
      const untold = Object.values(state.open).filter((e) => !e.notified).length + untoldResolved.length;
      return { open: Object.keys(state.open) as SyncCondition[], told, untold };
    },
  };
}

// Activities of invoiceSettlementUpgrade: Zuora checks, notifications and the sync schedules.
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NotifierError, notificationSchema, type Notification, type Notifier } from '../notifier/notifier';
import type { ReportStore } from '../reports/report-store';
import { AUDIT_LOG_REPORT, auditExportInputSchema, type AuditExportInput } from '../shared/audit-log';
import { FailureType } from '../shared/failures';
import { syncNetSuiteCreditMemosInputSchema, type SyncKind, type SyncNetSuiteCreditMemosInput } from '../shared/sync';
import { deleteSyncSchedule, describeSyncSchedule, ensureSyncSchedule, pauseSyncSchedule } from '../temporal/schedules';
import type { ZuoraClient } from '../zuora/client';
import { assertTenant, heartbeatingAll, trackIdOf, withActivityFailures } from './common';
import { NOT_FULLY_APPLIED_REPORT } from './sync/index';

export type UpgradeDeps = {
  zuora: ZuoraClient;
  notifier: Notifier;
  temporal: Client;
  reports: ReportStore;
  tenantId: string;
  taskQueue: string;
};

/** At most this many unsynced records are listed in the status (the counts are complete). */
const UNSYNCED_LISTED = 20;

export function createUpgradeActivities({ zuora, notifier, temporal, reports, tenantId, taskQueue }: UpgradeDeps) {
  const client = () => zuora.withTrackId(trackIdOf(activityInfo()));
  return heartbeatingAll({
    async verifyInvoiceSettlementEnabled(input: { tenantId: string }): Promise<boolean> {
      assertTenant(tenantId, input.tenantId);
      return withActivityFailures(() => client().isInvoiceSettlementEnabled());
    },

    async findUnsyncedBeforeUpgrade(input: { tenantId: string }) {
      assertTenant(tenantId, input.tenantId);
      return withActivityFailures(async () => {
        const r = await client().findUnsyncedBeforeUpgrade({ limit: UNSYNCED_LISTED });
        const brief = (l: typeof r.negativeInvoices) => ({
          count: l.count,
          listed: l.items.map((i) => i.number ?? i.id),
          truncated: l.truncated,
        });
        return { itemAdjustments: brief(r.invoiceItemAdjustments), negativeInvoices: brief(r.negativeInvoices) };
      });
    },

    async notify(n: Notification): Promise<void> {
      const parsed = notificationSchema.parse(n);
      assertTenant(tenantId, parsed.tenantId);
      try {
        await notifier.notify(parsed);
      } catch (err) {
        if (err instanceof NotifierError) {
          throw ApplicationFailure.create({
            message: err.message,
            type: FailureType.NotifierError,
            nonRetryable: !err.retryable,
          });
        }
        throw err;
      }
    },

    /**
     * The credit memo sync as the tenant runs it (its schedule's input), for the final run before the upgrade.
     * `inputError` says why the schedule's input could not be read (then `syncInput` has both syncs off, the default,
     * which the upgrade does not take as the tenant's answer: it asks the operator).
     */
    async readCreditMemoSyncSchedule(input: { tenantId: string }): Promise<{
      scheduleFound: boolean;
      paused: boolean | null;
      syncInput: SyncNetSuiteCreditMemosInput;
      inputError?: string | null;
    }> {
      assertTenant(tenantId, input.tenantId);
      const d = await describeSyncSchedule(temporal, 'credit-memo', input.tenantId);
      if (!d) return { scheduleFound: false, paused: null, syncInput: { tenantId: input.tenantId }, inputError: null };
      const action = d.action as { args?: unknown[] };
      const parsed = syncNetSuiteCreditMemosInputSchema.safeParse(action.args?.[0]);
      return {
        scheduleFound: true,
        paused: d.state.paused,
        syncInput: parsed.success ? parsed.data : { tenantId: input.tenantId },
        inputError: parsed.success
          ? null
          : `the schedule's sync input is not valid: ${parsed.error.message.slice(0, 500)}`,
      };
    },

    /** The numbers of the credit memos a sync run skipped as not fully applied (from its report), at most `limit`. */
    async listNotFullyAppliedMemos(input: { tenantId: string; syncWorkflowId: string; limit: number }) {
      assertTenant(tenantId, input.tenantId);
      const path = reports.pathFor(input.syncWorkflowId, NOT_FULLY_APPLIED_REPORT);
      const rows = reports.readJsonLines(path);
      return {
        report: path,
        count: rows.length,
        memos: rows.slice(0, input.limit).map((r) => String(r.tranId ?? r.id)),
      };
    },

    /**
     * Writes audit entries to the upgrade's whole log in the report store. Idempotent by seq: lines from this batch's
     * first seq on are replaced, so a retry (or a replay's repeat) never writes an entry twice.
     */
    async exportAuditLog(raw: AuditExportInput): Promise<{ report: string; through: number }> {
      const input = auditExportInputSchema.parse(raw);
      assertTenant(tenantId, input.tenantId);
      const first = input.entries[0]!.seq;
      const path = reports.pathFor(input.workflowId, AUDIT_LOG_REPORT);
      const out = await reports.openJsonLines(path, (row) => typeof row.seq === 'number' && row.seq < first);
      for (const e of input.entries) out.append(e);
      await out.close();
      return { report: path, through: input.entries[input.entries.length - 1]!.seq };
    },

    async pauseSchedule(input: { tenantId: string; schedule: SyncKind; note: string }) {
      assertTenant(tenantId, input.tenantId);
      return pauseSyncSchedule(temporal, input.schedule, input.tenantId, input.note);
    },

    /**
     * Pause the schedule and wait until the sync run it started (if any) has finished, so the upgrade's own final
     * run never overlaps a scheduled one. Idempotent.
     */
    async pauseScheduleAndWaitForRunningSync(input: { tenantId: string; schedule: SyncKind; note: string }) {
      assertTenant(tenantId, input.tenantId);
      const paused = await pauseSyncSchedule(temporal, input.schedule, input.tenantId, input.note);
      if (!paused.exists) return { ...paused, waitedForRuns: 0 };
      let waitedForRuns = 0;
      for (;;) {
        const d = await describeSyncSchedule(temporal, input.schedule, input.tenantId);
        const runningActions = d?.info.runningActions ?? [];
        if (runningActions.length === 0) return { ...paused, waitedForRuns };
        waitedForRuns = Math.max(waitedForRuns, runningActions.length);
        // A scheduled run can take a while: heartbeatingAll keeps beating, so the wait is not taken for a dead worker.
        await Promise.all(
          runningActions.map(
            (a) =>
              temporal.workflow
                .getHandle(a.workflow.workflowId, a.workflow.firstExecutionRunId)
                .result()
                .catch(() => undefined), // failed or cancelled: it is not running any more either way
          ),
        );
      }
    },

    /** Retire the credit memo sync schedule; create (or unpause) the payment sync schedule. Idempotent. */
    async switchSchedules(input: { tenantId: string; paymentSyncInterval: string; paymentCutoverDate?: string }) {
      assertTenant(tenantId, input.tenantId);
      const retired = await deleteSyncSchedule(temporal, 'credit-memo', input.tenantId);
      const payment = await ensureSyncSchedule(temporal, {
        kind: 'payment',
        tenantId: input.tenantId,
        interval: input.paymentSyncInterval,
        input: { tenantId: input.tenantId, cutoverDate: input.paymentCutoverDate },
        taskQueue,
        note: 'created by the Invoice Settlement upgrade',
      });
      return {
        creditMemoSchedule: retired.scheduleId,
        creditMemoScheduleRetired: true,
        paymentSchedule: payment.scheduleId,
        paymentScheduleCreated: payment.created ?? false,
      };
    },
  });
}

export type UpgradeActivities = ReturnType<typeof createUpgradeActivities>;

// The migration's canary (issue 14, MIGRATION_CANARY): after the approval, the first N memos are written by a child
// limited to N rows, their result is shown (updated, refused, where the manifest is), and a second approveStep of
// migrate.credit-memos releases the rest. N = options.migrationCanaryMemos (0: no canary). A tenant whose memos all
// fit in the canary has nothing left to release: the migration goes on to verify without a second approval.
import { ParentClosePolicy, executeChild } from '@temporalio/workflow';
import type { MigrateCreditMemosInput } from '../../../shared/migration';
import type { StepStatus } from '../../../shared/upgrade';
import { migrateCreditMemos } from '../../migrate-credit-memos';
import type { Upgrade } from '../context';

type Common = Omit<MigrateCreditMemosInput, 'dryRun'>;

/** Runs the canary (once) and waits for its release. False if the step was skipped meanwhile. */
export async function canaryThenRelease(up: Upgrade, s: StepStatus, common: Common): Promise<boolean> {
  const { state, workflowId } = up;
  const limit = up.input.options.migrationCanaryMemos;
  if (limit === 0) return true;
  if (!state.migration.canary) {
    const r = await executeChild(migrateCreditMemos, {
      workflowId: `${workflowId}-credit-memos-canary`,
      // The manifest goes where the migration's own goes: one manifest for both.
      args: [{ ...common, dryRun: false, limitRows: limit, manifestKey: `${workflowId}-credit-memos` }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    state.migration.canary = {
      limit,
      found: r.counters.totalFound,
      updated: r.counters.updated,
      refused: r.counters.failed,
      failuresReport: r.reports.failures,
      manifest: r.reports.manifest ?? null,
    };
    s.data.canaryUpdated = r.counters.updated;
    s.data.canaryRefused = r.counters.failed;
  }
  const c = state.migration.canary;
  if (c.found <= c.limit || s.data.releasedBy !== undefined) return true;
  if (!state.inbox.approvals[s.id]) {
    const text =
      `Canary: ${c.updated} of the first ${c.limit} credit memo(s) updated, ${c.refused} refused` +
      (c.failuresReport ? ` (report: ${c.failuresReport})` : '') +
      (c.manifest ? `; manifest: ${c.manifest.location}` : '') +
      `. ${c.found - c.limit} left. To release the rest: approveStep { "stepId": "${s.id}", "by": "…" }`;
    await up.run.notify('waiting', s, `Canary written: ${s.title}`, text, `${s.id}:canary:${s.attempts}`);
    up.rules.awaitingApproval = s.id;
    const waited = await up.run.ask(s, text, () => state.inbox.approvals[s.id] !== undefined);
    up.rules.awaitingApproval = null;
    if (!waited) return false;
  }
  const a = state.inbox.approvals[s.id]!;
  delete state.inbox.approvals[s.id];
  s.data.releasedBy = a.by;
  s.data.releasedAt = a.at;
  up.run.resume(s);
  return true;
}

// Runbook steps 4–5 (docs/product.md; seed 000): Zuora enables Invoice Settlement (we verify the claim with the API), then
// every credit memo gets Transferred To Accounting = Yes — after a dry run and an explicit approval.
import { ApplicationFailure, ParentClosePolicy, executeChild, patched } from '@temporalio/workflow';
import { FailureType } from '../../../shared/failures';
import { describeTransferCounts, type MigrateCreditMemosResult } from '../../../shared/migration';
import { clip } from '../../../shared/text';
import { STORED_TEXT_MAX } from '../../../shared/upgrade-bounds';
import { migrationSummary } from '../../../shared/web-ui';
import { migrateCreditMemos } from '../../migrate-credit-memos';
import { acts, type StepBody } from '../context';
import { MIGRATION_CANARY } from '../patches';
import { failureMessage } from '../runner';
import { canaryThenRelease } from './canary';

/** Step 4: wait for the claim that Zuora enabled Invoice Settlement, and believe it once the Zuora API confirms. */
export const enableInvoiceSettlement: StepBody = async (up, s) => {
  const { state, now, publish } = up;
  s.startedAt ??= now();
  for (;;) {
    const claimed = await up.run.awaitMessage(
      s,
      'When Zuora has enabled Invoice Settlement: invoiceSettlementEnabled { "by": "…" }',
      () => state.inbox.enabledClaims.length > 0,
    );
    if (!claimed) return;
    const claim = state.inbox.enabledClaims[0]!;
    s.state = 'running';
    publish();
    let enabled: boolean;
    try {
      enabled = await acts.verifyInvoiceSettlementEnabled({ tenantId: up.input.tenantId });
    } catch (err) {
      // Zuora unreachable: the claim cannot be checked now. Keep waiting; the operator sends it again.
      state.inbox.enabledClaims = [];
      s.note = clip(
        `could not verify the claim by ${claim.by}: ${failureMessage(err)}; send invoiceSettlementEnabled again`,
        STORED_TEXT_MAX,
      );
      up.audit({ message: 'system', stepId: s.id, outcome: 'info', detail: s.note });
      continue;
    }
    state.inbox.enabledClaims = [];
    if (enabled) {
      s.state = 'done';
      s.by = claim.by;
      s.data = { verifiedAt: now(), claimedAt: claim.at };
      s.finishedAt = now();
      publish();
      return;
    }
    s.note = `claim by ${claim.by} at ${claim.at} not confirmed: the Zuora API says Invoice Settlement is not enabled`;
    up.audit({ message: 'invoiceSettlementEnabled', by: claim.by, outcome: 'rejected', detail: s.note });
  }
};

/** Step 5: dry run, approval, then the bulk update of every credit memo, verified. */
export const migrateCreditMemosStep: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    const { state, workflowId } = up;
    const { tenantId, options } = up.input;
    delete state.migration.paused; // a retried step's child starts unpaused (a failed one never said it went on)
    const common = {
      tenantId,
      tenantConcurrencyLimit: options.tenantConcurrencyLimit,
      concurrencyBudget: options.migrationConcurrencyBudget,
      chunkRows: options.migrationChunkRows,
      heartbeatTimeoutSeconds: options.migrationHeartbeatTimeoutSeconds,
    };
    if (!state.migration.dryRun) {
      const dry = await executeChild(migrateCreditMemos, {
        workflowId: `${workflowId}-credit-memos-dry-run`,
        args: [{ ...common, dryRun: true }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: migrationSummary(tenantId, true),
      });
      state.migration.dryRun = {
        found: dry.remaining,
        sample: dry.reports.dryRunSample,
        ...(dry.byTransferredToAccounting ? { byTransferredToAccounting: dry.byTransferredToAccounting } : {}),
      };
      s.data.dryRunFound = dry.remaining;
    }
    const dryRun = state.migration.dryRun;
    const approved = await up.run.approval(
      s,
      () =>
        `Dry run: ${dryRun.found} credit memo(s) would get Transferred To Accounting = Yes` +
        (dryRun.sample ? ` (sample: ${dryRun.sample})` : '') +
        `. This cannot be undone. To go ahead: approveStep { "stepId": "${s.id}", "by": "…" }`,
    );
    if (!approved) return;
    if (options.dryRun) {
      s.note = 'rehearsal (dryRun): nothing was updated';
      return;
    }
    // Upgrades from before the canary go straight to the whole migration (their histories replay so).
    if (patched(MIGRATION_CANARY) && !(await canaryThenRelease(up, s, common))) return;
    const result: MigrateCreditMemosResult = await executeChild(migrateCreditMemos, {
      workflowId: `${workflowId}-credit-memos`,
      args: [{ ...common, dryRun: false }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: migrationSummary(tenantId, false),
    });
    // The canary's writes are the migration's too (the rest of it found them done).
    const updated = result.counters.updated + (state.migration.canary?.updated ?? 0);
    state.migration.result = {
      updated,
      failed: result.counters.failed,
      remaining: result.remaining,
      verified: result.verified,
      failuresReport: result.reports.failures,
      ...(result.reports.manifest ? { manifest: result.reports.manifest } : {}),
      ...(result.byTransferredToAccounting ? { byTransferredToAccounting: result.byTransferredToAccounting } : {}),
    };
    s.data.updated = updated;
    s.data.remaining = result.remaining;
    if (!result.verified) {
      throw ApplicationFailure.nonRetryable(
        `${result.remaining} migrated credit memo(s) are not Transferred To Accounting = Yes after ` +
          `${result.counters.passes} pass(es) (${result.counters.failed} refused by Zuora` +
          `${result.reports.failures ? `, report: ${result.reports.failures}` : ''})` +
          (result.byTransferredToAccounting
            ? `; by Transferred To Accounting: ${describeTransferCounts(result.byTransferredToAccounting)}`
            : ''),
        FailureType.MigrationIncomplete,
      );
    }
  });

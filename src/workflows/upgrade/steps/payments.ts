// Runbook steps 16–17 (docs/product.md; docs/zuora.md §7): sync the NetSuite payments made since the cutover once,
// then switch the schedules (the credit memo sync retired, the payment sync started).
import { ApplicationFailure, ParentClosePolicy, executeChild } from '@temporalio/workflow';
import { FailureType } from '../../../shared/failures';
import { syncNetSuitePayments } from '../../sync-netsuite-payments';
import { syncSummary } from '../../../shared/web-ui';
import { acts, type StepBody } from '../context';
import { summarizeSync } from '../sync-summary';

/** Run the NetSuite→Zuora payment sync once, over everything since the cutover date; no payment may fail. */
export const paymentCatchUpSync: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    const { tenantId, options } = up.input;
    const result = await executeChild(syncNetSuitePayments, {
      workflowId: `${up.workflowId}-payment-catch-up-sync-${s.attempts}`,
      args: [{ tenantId, cutoverDate: options.paymentCutoverDate, fullScan: true, dryRun: options.dryRun }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: syncSummary('payment', tenantId, `the upgrade's catch-up run (${s.id})`),
    });
    up.state.syncs.paymentCatchUpSync = summarizeSync(result);
    s.data = { created: result.created, failed: result.failed, eligibleRemaining: result.eligibleRemaining };
    if (result.failed > 0) {
      throw ApplicationFailure.nonRetryable(
        `${result.failed} payment(s) failed to sync${result.reports.failures ? ` (report: ${result.reports.failures})` : ''}`,
        FailureType.PaymentSyncFailed,
      );
    }
  });

/** Retire the credit memo sync schedule; create and start the payment sync schedule (every paymentSyncInterval). */
export const switchSchedules: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    const { tenantId, options } = up.input;
    if (options.dryRun) {
      s.note = 'rehearsal (dryRun): schedules left as they are';
      return;
    }
    s.data = await acts.switchSchedules({
      tenantId,
      paymentSyncInterval: options.paymentSyncInterval,
      paymentCutoverDate: options.paymentCutoverDate,
    });
  });

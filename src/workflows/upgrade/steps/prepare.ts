// Runbook steps 1–2 (docs/product.md; seed 002): drain the NetSuite credit memo sync one last time before cutover, and
// make sure nothing Zuora has is left unsynced to NetSuite.
import { ApplicationFailure, ParentClosePolicy, executeChild, patched } from '@temporalio/workflow';
import { FailureType } from '../../../shared/failures';
import { FinalSyncQuestion, type StepStatus } from '../../../shared/upgrade';
import { syncSummary } from '../../../shared/web-ui';
import { syncNetSuiteCreditMemos } from '../../sync-netsuite-credit-memos';
import { acts, drain, type StepBody, type Upgrade } from '../context';
import { yesNo } from '../messages';
import { FINAL_SYNC_ASKS_OPERATOR, PAUSE_SCHEDULE_BEFORE_FINAL_SYNC } from '../patches';
import { isSkipped } from '../state';
import { summarizeSync } from '../sync-summary';

/** Memos listed by number in the status while the final sync waits (the full list is in the sync's report). */
const NOT_FULLY_APPLIED_LISTED = 50;

type Plan = Awaited<ReturnType<typeof acts.readCreditMemoSyncSchedule>>;
type Syncs = { standard?: boolean; negativeBalance?: boolean };
type Answer = { completion: { by: string; data: Record<string, unknown> } } | { retry: { by: string } } | null;

/** Step 1: run the credit memo sync once more with the tenant's syncs, the schedule paused, until nothing is left. */
export const finalCreditMemoSync: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    const { tenantId, options } = up.input;
    const plan = await acts.readCreditMemoSyncSchedule({ tenantId });
    const asks = patched(FINAL_SYNC_ASKS_OPERATOR);
    const chosen = asks ? await askWhichSyncsIfUnreadable(up, s, plan) : { plan, syncs: {} };
    if (chosen === null) return;
    // Pause the schedule and let its running sync finish *before* the final run, so the two never work on the
    // same memos at once. (Upgrades started before this change paused it after the final run.)
    const pauseFirst = patched(PAUSE_SCHEDULE_BEFORE_FINAL_SYNC);
    if (pauseFirst && !options.dryRun) {
      s.data.schedule = await drain.pauseScheduleAndWaitForRunningSync({
        tenantId,
        schedule: 'credit-memo',
        note: `paused by upgrade ${up.workflowId}`,
      });
    }
    if (!(await syncUntilDrained(up, s, chosen.plan, chosen.syncs, asks))) return;
    if (!pauseFirst && !options.dryRun) {
      const paused = await acts.pauseSchedule({
        tenantId,
        schedule: 'credit-memo',
        note: `paused by upgrade ${up.workflowId}`,
      });
      s.data.schedule = paused;
    }
  });

/**
 * No schedule, or an input we cannot read: both syncs off would pass as a no-op. Ask which syncs the tenant had
 * enabled (seed 002: both are disabled by default) — completeStep with data, or retryStep to read again.
 * Null when the step was skipped meanwhile.
 */
async function askWhichSyncsIfUnreadable(
  up: Upgrade,
  s: StepStatus,
  first: Plan,
): Promise<{ plan: Plan; syncs: Syncs } | null> {
  let plan = first;
  while (!plan.scheduleFound || plan.inputError) {
    s.data = { ...s.data, scheduleFound: plan.scheduleFound, scheduleInputError: plan.inputError ?? null };
    const answer = await askOperator(
      up,
      s,
      FinalSyncQuestion.whichSyncs,
      `${plan.scheduleFound ? `The credit memo sync schedule's input cannot be read (${plan.inputError})` : 'No credit memo sync schedule was found'}; ` +
        'which NetSuite credit memo syncs did the tenant have enabled? completeStep { "stepId": "' +
        `${s.id}", "by": "…", "data": { "standard": true|false, "negativeBalance": true|false } }; or fix the ` +
        'schedule and retryStep.',
    );
    if (answer === null) return null;
    if ('completion' in answer) {
      const syncs = {
        standard: yesNo(answer.completion.data.standard) === true,
        negativeBalance: yesNo(answer.completion.data.negativeBalance) === true,
      };
      s.data = { ...s.data, syncsGiven: { ...syncs, by: answer.completion.by } };
      return { plan, syncs };
    }
    plan = await acts.readCreditMemoSyncSchedule({ tenantId: up.input.tenantId });
  }
  return { plan, syncs: {} };
}

/**
 * Runs the final sync until no eligible memo remains; memos not fully applied can never sync after Invoice
 * Settlement, so (when `asks`) they are listed and the operator decides: apply them and run again, or go on.
 * False when the step was skipped meanwhile.
 */
async function syncUntilDrained(up: Upgrade, s: StepStatus, plan: Plan, syncs: Syncs, asks: boolean): Promise<boolean> {
  const { tenantId, options } = up.input;
  for (let round = 1; ; round++) {
    const childId = `${up.workflowId}-final-credit-memo-sync-${s.attempts}${round > 1 ? `-${round}` : ''}`;
    const result = await executeChild(syncNetSuiteCreditMemos, {
      workflowId: childId,
      args: [{ ...plan.syncInput, ...syncs, tenantId, fullScan: true, dryRun: options.dryRun }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: syncSummary('credit-memo', tenantId, `the upgrade's final run (${s.id})`),
    });
    up.state.syncs.finalCreditMemoSync = summarizeSync(result);
    s.data = {
      ...s.data,
      scheduleFound: plan.scheduleFound,
      created: result.created,
      failed: result.failed,
      eligibleRemaining: result.eligibleRemaining,
    };
    if (result.eligibleRemaining > 0 || result.failed > 0) {
      throw ApplicationFailure.nonRetryable(
        `${result.eligibleRemaining} eligible credit memo(s) remain and ${result.failed} failed` +
          (result.reports.failures ? ` (report: ${result.reports.failures})` : ''),
        FailureType.CreditMemosNotDrained,
      );
    }
    if (!asks || (result.skippedByReason['not-fully-applied'] ?? 0) === 0) return true;
    const open = await acts.listNotFullyAppliedMemos({
      tenantId,
      syncWorkflowId: childId,
      limit: NOT_FULLY_APPLIED_LISTED,
    });
    s.data = { ...s.data, notFullyApplied: open };
    const more = open.count > open.memos.length ? `, … (${open.count} in all)` : '';
    const answer = await askOperator(
      up,
      s,
      FinalSyncQuestion.notFullyApplied,
      `${open.count} credit memo(s) are not fully applied: ${open.memos.join(', ')}${more}; full list: ` +
        `${open.report}. After Invoice Settlement they can never sync to Zuora. Apply them in NetSuite, then ` +
        `retryStep { "stepId": "${s.id}" } to run the final sync again; or completeStep { "stepId": ` +
        `"${s.id}" } to go on without them.`,
    );
    if (answer === null) return false;
    if ('completion' in answer) {
      s.data = { ...s.data, notFullyAppliedAccepted: { count: open.count, by: answer.completion.by } };
      return true;
    }
  }
}

/** Asks the final sync's question; the answer is completeStep or retryStep on this step (null when skipped). */
async function askOperator(up: Upgrade, s: StepStatus, question: string, text: string): Promise<Answer> {
  const { inbox } = up.state;
  s.data = { ...s.data, question };
  await up.run.ask(s, text, () => inbox.completions[s.id] !== undefined || inbox.retries[s.id] !== undefined);
  const completion = inbox.completions[s.id];
  const retry = inbox.retries[s.id];
  delete inbox.completions[s.id];
  delete inbox.retries[s.id];
  delete s.data.question;
  if (isSkipped(s)) return null;
  up.run.resume(s);
  return completion ? { completion } : retry ? { retry } : null;
}

/** Step 2: nothing in Zuora may be left unsynced to NetSuite (after Invoice Settlement it never can be). */
export const verifyZuoraSynced: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    for (;;) {
      const found = await acts.findUnsyncedBeforeUpgrade({ tenantId: up.input.tenantId });
      s.data = { ...found };
      const left = found.itemAdjustments.count + found.negativeInvoices.count;
      if (left === 0) return;
      const asked =
        `${found.itemAdjustments.count} invoice item adjustment(s) and ${found.negativeInvoices.count} negative ` +
        'invoice(s) are not synced to NetSuite (after Invoice Settlement they never can be). Sync them, then ' +
        'retryStep; or skipStep with a reason.';
      if (!(await up.run.ask(s, asked, () => up.state.inbox.retries[s.id] !== undefined))) return;
      delete up.state.inbox.retries[s.id];
      up.run.resume(s);
    }
  });

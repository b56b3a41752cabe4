// Drives an invoiceSettlementUpgrade as an operator would: queries its status and sends updates and signals.
import type { WorkflowHandle } from '@temporalio/client';
import {
  completeStepUpdate,
  invoiceSettlementEnabledUpdate,
  statusQuery,
  type StepId,
  type StepState,
  type UpgradeStatus,
} from '../../src/shared/upgrade';

/** Polls the status query until `predicate` holds (the workflow moves on its own; we wait on its state). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: UpgradeStatus) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<UpgradeStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: UpgradeStatus | undefined;
  for (;;) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; steps: ${last.steps.map((s) => `${s.id}=${s.state}${s.error ? `(${s.error})` : ''}`).join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const stepOf = (s: UpgradeStatus, id: StepId) => s.steps.find((x) => x.id === id)!;

export function waitForStep(handle: WorkflowHandle, id: StepId, state: StepState, timeoutMs?: number) {
  return waitForStatus(handle, (s) => stepOf(s, id).state === state, `${id} to be ${state}`, timeoutMs);
}

/**
 * Answers the final credit memo sync's questions as an operator who has decided (issue 12): which syncs the tenant
 * had enabled when no schedule says so (`syncs`, default both off as the connector ships), and going on without the
 * memos not fully applied. Returns once the step is done or skipped.
 */
export async function answerFinalCreditMemoSync(
  handle: WorkflowHandle,
  by: string,
  syncs: { standard: boolean; negativeBalance: boolean } = { standard: false, negativeBalance: false },
): Promise<UpgradeStatus> {
  const id: StepId = 'prepare.final-credit-memo-sync';
  for (;;) {
    const s = await waitForStatus(
      handle,
      (x) => ['done', 'skipped'].includes(stepOf(x, id).state) || stepOf(x, id).data.question !== undefined,
      `${id} to finish or ask`,
    );
    const step = stepOf(s, id);
    if (step.state === 'done' || step.state === 'skipped') return s;
    await handle.executeUpdate(completeStepUpdate, {
      args: [{ by, stepId: id, ...(step.data.question === 'which-syncs' ? { data: syncs } : {}) }],
    });
    await waitForStatus(handle, (x) => stepOf(x, id).data.question !== step.data.question, `${id} to move on`);
  }
}

/**
 * Steps 1-4 of a tenant with nothing unsynced, as the operator drives them: the final sync answered, step 2 passing by
 * itself, the freeze confirmed, the enablement reported. Returns once the migration step waits for its approval.
 */
export async function driveToMigrationApproval(handle: WorkflowHandle, by: string): Promise<UpgradeStatus> {
  await answerFinalCreditMemoSync(handle, by);
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
  await handle.executeUpdate(completeStepUpdate, { args: [{ by, stepId: 'prepare.freeze-negative-invoices' }] });
  await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  await handle.executeUpdate(invoiceSettlementEnabledUpdate, { args: [{ by }] });
  return waitForStep(handle, 'migrate.credit-memos', 'waiting');
}

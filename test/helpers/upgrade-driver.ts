// Drives an invoiceSettlementUpgrade as an operator would: queries its status and sends updates and signals.
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery, type StepId, type StepState, type UpgradeStatus } from '../../src/shared/upgrade';

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

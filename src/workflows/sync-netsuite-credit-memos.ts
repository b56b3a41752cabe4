// syncNetSuiteCreditMemos: NetSuite credit memos → Zuora invoice adjustments, the connector's two syncs in one run
// (docs/zuora.md §7, seed 002), each on or off by input, both off by default:
// - standard: fully applied to exactly one Zuora invoice → one Credit adjustment (ReferenceId = internal id);
// - negative balance (Zuora Type NEGATIVE_INVOICE): one Charge on the original negative invoice for the full amount
//   plus one Credit per Zuora invoice it was applied to (ReferenceId `<creditMemoId>_<invoiceId>`).
// Started every 30 minutes by schedule `netsuite-credit-memo-sync-<tenantId>` (overlap SKIP), and once by the
// upgrade as its final drain. Rules: src/activities/sync/rules.ts; never twice:
// src/activities/sync/adjustment-batcher.ts; the watermark: ./sync-run.ts.
import { continueAsNew } from '@temporalio/workflow';
import { syncNetSuiteCreditMemosInputSchema, type SyncNetSuiteCreditMemosInput, type SyncResult } from '../shared/sync';
import { chunkSummary, syncCreditMemoChunk, runSync, type SyncCarry } from './sync-run';
import { parseWorkflowInput } from './validation';

export async function syncNetSuiteCreditMemos(
  rawInput: SyncNetSuiteCreditMemosInput,
  carry?: SyncCarry,
): Promise<SyncResult> {
  const input = parseWorkflowInput(syncNetSuiteCreditMemosInputSchema, rawInput, 'syncNetSuiteCreditMemos input');
  return runSync({
    kind: 'credit-memo',
    title: 'NetSuite credit memo sync',
    params: input,
    enabled: input.standard || input.negativeBalance,
    carry,
    chunk: (c) =>
      syncCreditMemoChunk.executeWithOptions({ summary: chunkSummary(c) }, [
        { ...c, standard: input.standard, negativeBalance: input.negativeBalance },
      ]),
    continueWith: (state) => continueAsNew<typeof syncNetSuiteCreditMemos>(rawInput, state),
  });
}

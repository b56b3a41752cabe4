// syncNetSuiteCreditMemos: NetSuite credit memos → Zuora invoice adjustments, the connector's two syncs in one run
// (docs/zuora.md §7, seed 002), each on or off by input, both off by default:
// - standard: fully applied to exactly one Zuora invoice → one Credit adjustment (ReferenceId = internal id);
// - negative balance (Zuora Type NEGATIVE_INVOICE): one Charge on the original negative invoice for the full amount
//   plus one Credit per Zuora invoice it was applied to (ReferenceId `<creditMemoId>_<invoiceId>`).
// Started every 30 minutes by schedule `netsuite-credit-memo-sync-<tenantId>` (overlap SKIP), and once by the
// upgrade as its final drain. Rules: src/activities/sync-rules.ts; the never-twice protocol: src/activities/sync.ts;
// the watermark: ./sync-run.ts.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import { syncNetSuiteCreditMemosInputSchema, type SyncNetSuiteCreditMemosInput, type SyncResult } from '../shared/sync';
import { runSync, type SyncCarry } from './sync-run';
import { parseWorkflowInput } from './validation';

const { beginSync } = proxyActivities<SyncActivities>({
  // It heartbeats every 5 s: a killed worker's call is retried after 30 s; the clients may wait out a 429 (≤ 60 s).
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

const { syncCreditMemoChunk } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '20s', // it heartbeats every 2 s; the retry resumes after the last finished page
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

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
    beginSync,
    chunk: (c) => syncCreditMemoChunk({ ...c, standard: input.standard, negativeBalance: input.negativeBalance }),
    continueWith: (state) => continueAsNew<typeof syncNetSuiteCreditMemos>(rawInput, state),
  });
}

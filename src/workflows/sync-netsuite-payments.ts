// syncNetSuitePayments: NetSuite customer payments → Zuora external payments, after the upgrade (docs/zuora.md
// §7): Zuora Customer ID set; applied to at least one Zuora invoice or debit memo, or fully unapplied; Zuora Origin
// not ZUORA; Zuora Sync Updates = Yes. `Creating Payment` while it runs; an External payment with IntegrationId__NS =
// internal id and Transaction__NS = tranId, applied documents matched by their IntegrationId__NS, created under the
// Idempotency-Key `ns-payment-<internalId>`. Started by schedule `netsuite-payment-sync-<tenantId>`.
import { continueAsNew } from '@temporalio/workflow';
import { syncNetSuitePaymentsInputSchema, type SyncNetSuitePaymentsInput, type SyncResult } from '../shared/sync';
import { chunkSummary, syncPaymentChunk, runSync, type SyncCarry } from './sync-run';
import { parseWorkflowInput } from './validation';

export async function syncNetSuitePayments(
  rawInput: SyncNetSuitePaymentsInput,
  carry?: SyncCarry,
): Promise<SyncResult> {
  const input = parseWorkflowInput(syncNetSuitePaymentsInputSchema, rawInput, 'syncNetSuitePayments input');
  return runSync({
    kind: 'payment',
    title: 'NetSuite payment sync',
    params: input,
    enabled: true,
    carry,
    chunk: (c) => syncPaymentChunk.executeWithOptions({ summary: chunkSummary(c) }, [c]),
    continueWith: (state) => continueAsNew<typeof syncNetSuitePayments>(rawInput, state),
  });
}

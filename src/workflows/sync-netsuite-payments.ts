// syncNetSuitePayments: NetSuite customer payments → Zuora external payments, after the upgrade (docs/zuora.md
// §7): Zuora Customer ID set; applied to at least one Zuora invoice or debit memo, or fully unapplied; Zuora Origin
// not ZUORA; Zuora Sync Updates = Yes. `Creating Payment` while it runs; an External payment with IntegrationId__NS =
// internal id and Transaction__NS = tranId, applied documents matched by their IntegrationId__NS, created under the
// Idempotency-Key `ns-payment-<internalId>`. Started by schedule `netsuite-payment-sync-<tenantId>`.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import { syncNetSuitePaymentsInputSchema, type SyncNetSuitePaymentsInput, type SyncResult } from '../shared/sync';
import { runSync, type SyncCarry } from './sync-run';
import { parseWorkflowInput } from './validation';

const { beginSync } = proxyActivities<SyncActivities>({
  // It heartbeats every 5 s: a killed worker's call is retried after 30 s; the clients may wait out a 429 (≤ 60 s).
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

const { syncPaymentChunk } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '20s', // it heartbeats every 2 s; the retry resumes after the last finished page
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

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
    beginSync,
    chunk: syncPaymentChunk,
    continueWith: (state) => continueAsNew<typeof syncNetSuitePayments>(rawInput, state),
  });
}

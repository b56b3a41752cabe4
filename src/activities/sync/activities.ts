// Activities of syncNetSuiteCreditMemos and syncNetSuitePayments, over injected clients. A run begins with the
// watermark (./watermark.ts), then runs chunks of NetSuite candidate pages (./chunk.ts) through the credit memo or
// payment page processor (./credit-memos.ts, ./payments.ts), which apply the documented rules (./rules.ts).
// NetSuite writes run at the account's concurrency limit (governanceLimits), Zuora calls are batched.
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { NetSuiteClient } from '../../netsuite/client';
import { connectorFields } from '../../netsuite/fields';
import { creditMemoCandidatePages, paymentCandidatePages, type CandidateQuery } from '../../netsuite/queries';
import type { CreditMemoCandidate, PaymentCandidate } from '../../netsuite/schemas';
import type { ReportStore } from '../../reports/report-store';
import {
  SYNC_WORKFLOW_TYPES,
  emptyUndecided,
  type BeginSyncResult,
  type CreditMemoChunkInput,
  type SyncChunkInput,
  type SyncChunkResult,
  type SyncKind,
} from '../../shared/sync';
import type { ZuoraClient } from '../../zuora/client';
import { assertTenant, trackIdOf, whileHeartbeating, withActivityFailures, workflowIdOf } from '../common';
import { runChunk } from './chunk';
import { creditMemoPageProcessor } from './credit-memos';
import { netsuiteWriteConcurrencyOf } from './netsuite-writes';
import { paymentPageProcessor } from './payments';
import { highestLastModified, previousWatermark } from './watermark';

export type SyncDeps = {
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  reports: ReportStore;
  /** Visibility: the previous completed run's result holds the watermark. */
  temporal: Client;
  tenantId: string;
};

export function createSyncActivities({ zuora, netsuite, reports, temporal, tenantId }: SyncDeps) {
  const fields = connectorFields();
  const netsuiteWriteConcurrency = netsuiteWriteConcurrencyOf(netsuite);

  /** What every chunk attempt starts with: the tenant check, its Zuora view (Track-Id), the pipeline's parts. */
  const chunkOf = (input: SyncChunkInput, kind: SyncKind) => {
    assertTenant(tenantId, input.tenantId);
    const info = activityInfo();
    return {
      zuora: zuora.withTrackId(trackIdOf(info)),
      pipeline: { input, kind, reports, netsuite, workflowId: workflowIdOf(info), netsuiteWriteConcurrency },
      query: (startAfterId: number): CandidateQuery => ({
        modifiedSince: input.modifiedSince,
        tranDateFrom: input.cutoverDate,
        pageSize: input.pageSize,
        startAfterId,
        recheckIds: input.recheckIds,
        fields,
      }),
    };
  };

  return {
    /** Where the previous run left off (its watermark and undecided records), and NetSuite's current mark. */
    async beginSync(input: { tenantId: string; kind: SyncKind }): Promise<BeginSyncResult> {
      assertTenant(tenantId, input.tenantId);
      return withActivityFailures(async () => {
        const [previous, scanMark] = await whileHeartbeating(() =>
          Promise.all([
            previousWatermark(temporal, SYNC_WORKFLOW_TYPES[input.kind], input.tenantId),
            highestLastModified(netsuite, input.kind === 'credit-memo' ? 'CustCred' : 'CustPymt'),
          ]),
        );
        return {
          previousWatermark: previous?.watermark ?? null,
          previousRun: previous?.workflowId ?? null,
          previousUndecided: previous?.undecided ?? emptyUndecided(),
          scanMark,
        };
      });
    },

    /** A chunk of credit memo pages: classify, create invoice adjustments, write back. */
    async syncCreditMemoChunk(input: CreditMemoChunkInput): Promise<SyncChunkResult> {
      const chunk = chunkOf(input, 'credit-memo');
      return runChunk<CreditMemoCandidate>({
        ...chunk.pipeline,
        pages: (startAfterId) => creditMemoCandidatePages(netsuite, chunk.query(startAfterId)),
        makePageProcessor: creditMemoPageProcessor({ zuora: chunk.zuora, input, fields }),
      });
    },

    /** A chunk of payment pages: classify, create external payments, write back. */
    async syncPaymentChunk(input: SyncChunkInput): Promise<SyncChunkResult> {
      const chunk = chunkOf(input, 'payment');
      return runChunk<PaymentCandidate>({
        ...chunk.pipeline,
        pages: (startAfterId) => paymentCandidatePages(netsuite, chunk.query(startAfterId)),
        makePageProcessor: paymentPageProcessor({ zuora: chunk.zuora, input, fields }),
      });
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

// Activities of syncNetSuiteCreditMemos and syncNetSuitePayments, over injected clients. A run begins with the
// watermark (./watermark.ts), then runs chunks of NetSuite candidate pages (./chunk.ts) through the credit memo or
// payment page processor (./credit-memos.ts, ./payments.ts), which apply the documented rules (./rules.ts).
// NetSuite writes run at the account's concurrency limit (governanceLimits), Zuora calls are batched.
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { NetSuiteClient } from '../../netsuite/client';
import { connectorFields } from '../../netsuite/fields';
import { creditMemoCandidatePages, paymentCandidatePages, type CandidateQuery } from '../../netsuite/queries';
import type { Notifier } from '../../notifier/notifier';
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
import { createSyncHealthActivities } from './health';
import { netsuiteWriteConcurrencyOf } from './netsuite-writes';
import type { ConnectorFields, PageContext, PageProcessor } from './page';
import { paymentPageProcessor } from './payments';
import { leasedActivities, type TenantLeases } from '../tenant-lease';
import { highestLastModified, previousWatermark } from './watermark';

type PageProcessorFactory<C> = (ctx: PageContext) => PageProcessor<C>;

export type SyncDeps = {
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  reports: ReportStore;
  /** Visibility: the previous completed run's result holds the watermark. */
  temporal: Client;
  tenantId: string;
  /** Sync alerts (./health.ts). */
  notifier: Notifier;
  /** The tenant budget (issue 15 §2): the chunks hold leases of the tenant's Zuora and NetSuite slots. */
  leases?: TenantLeases;
};

/**
 * Zuora requests a sync chunk has in flight at most: PAGES_IN_FLIGHT (./chunk.ts) pages, each a look-up and a batch
 * of adjustments or payments at a time. NetSuite: its writes run at the account limit, so it can use all of it.
 */
const SYNC_CHUNK_WANTS = { zuora: 4, netsuite: 1_000 } as const;

export function createSyncActivities({ zuora, netsuite, reports, temporal, tenantId, notifier, leases }: SyncDeps) {
  const fields = connectorFields();
  const netsuiteWriteConcurrency = netsuiteWriteConcurrencyOf(netsuite);

  /** One attempt of a chunk of `kind`: the tenant check, its Zuora view (Track-Id), then the page pipeline. */
  const chunk = <C extends { id: string }, I extends SyncChunkInput>(
    kind: SyncKind,
    input: I,
    candidatePages: (netsuite: NetSuiteClient, query: CandidateQuery) => AsyncGenerator<C[], void, undefined>,
    pageProcessor: (o: { zuora: ZuoraClient; input: I; fields: ConnectorFields }) => PageProcessorFactory<C>,
  ): Promise<SyncChunkResult> => {
    assertTenant(tenantId, input.tenantId);
    const info = activityInfo();
    const client = zuora.withTrackId(trackIdOf(info));
    return runChunk<C>({
      input,
      kind,
      reports,
      netsuite,
      workflowId: workflowIdOf(info),
      netsuiteWriteConcurrency,
      pages: (startAfterId) =>
        candidatePages(netsuite, {
          modifiedSince: input.modifiedSince,
          tranDateFrom: input.cutoverDate,
          pageSize: input.pageSize,
          startAfterId,
          recheckIds: input.recheckIds,
          fields,
        }),
      makePageProcessor: pageProcessor({ zuora: client, input, fields }),
    });
  };

  const activities = {
    ...createSyncHealthActivities({ temporal, reports, notifier, tenantId }),

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
          previousRunClosedAt: previous?.closedAt ?? null,
          previousUndecided: previous?.undecided ?? emptyUndecided(),
          scanMark,
        };
      });
    },

    /** A chunk of credit memo pages: classify, create invoice adjustments, write back. */
    async syncCreditMemoChunk(input: CreditMemoChunkInput): Promise<SyncChunkResult> {
      return chunk('credit-memo', input, creditMemoCandidatePages, creditMemoPageProcessor);
    },

    /** A chunk of payment pages: classify, create external payments, write back. */
    async syncPaymentChunk(input: SyncChunkInput): Promise<SyncChunkResult> {
      return chunk('payment', input, paymentCandidatePages, paymentPageProcessor);
    },
  };
  return leasedActivities(activities, leases, {
    syncCreditMemoChunk: () => SYNC_CHUNK_WANTS,
    syncPaymentChunk: () => SYNC_CHUNK_WANTS,
  });
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

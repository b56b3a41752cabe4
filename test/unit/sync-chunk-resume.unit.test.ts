// A credit memo sync chunk resumes from its heartbeat checkpoint without a server: the real chunk pipeline and credit
// memo page processor (src/activities/sync/chunk.ts, credit-memos.ts) in MockActivityEnvironment, over tiny
// in-process fakes of the calls they make to NetSuite (candidate pages, record PATCH) and Zuora (adjustment look-up
// and create). The property under test is the documented one: never write a Zuora transaction twice (docs/product.md;
// docs/zuora.md §7 "later edits are not synced", so a second adjustment is a double credit).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AdjustmentsApi } from '../../src/activities/sync/adjustment-batcher';
import { resumePoint, runChunk, type ChunkHeartbeat } from '../../src/activities/sync/chunk';
import { creditMemoPageProcessor } from '../../src/activities/sync/credit-memos';
import type { NetSuiteClient, PatchFields } from '../../src/netsuite/client';
import { NetSuiteApiError } from '../../src/netsuite/errors';
import { IntegrationStatus, connectorFields } from '../../src/netsuite/fields';
import type { CreditMemoCandidate } from '../../src/netsuite/schemas';
import { ReportStore } from '../../src/reports/report-store';
import { emptyTally, emptyUndecided, type CreditMemoChunkInput, type SyncChunkResult } from '../../src/shared/sync';
import type { InvoiceAdjustmentRecord } from '../../src/zuora/schemas';

const F = connectorFields();
const PAGE_SIZE = 10;
const MEMOS = 30;

/** NetSuite: standard memos 1..30, each fully applied to its own Zuora invoice; PATCHes change them. */
class FakeNetSuite {
  readonly memos = new Map<number, CreditMemoCandidate>();
  readonly patches: Array<{ id: number; fields: PatchFields }> = [];
  /** Pages were read starting after these ids. */
  readonly readsFrom: number[] = [];
  /** The Sync Complete write-back of this memo fails once with a 503 (the chunk attempt fails, Temporal retries). */
  failWriteBackOf: number | null = null;

  constructor() {
    for (let id = 1; id <= MEMOS; id++) {
      this.memos.set(id, {
        id: String(id),
        tranId: `CM${id}`,
        tranDate: '2025-01-11',
        lastModified: '2025-01-11T09:00:00',
        customerId: '7',
        memo: null,
        total: 10,
        zuoraId: null,
        integrationStatus: null,
        zuoraType: null,
        origin: 'NETSUITE',
        applications: [
          {
            id: String(1000 + id),
            type: 'CustInvc',
            tranId: null,
            zuoraId: `INV-${id}`,
            zuoraType: 'INVOICE',
            total: 10,
            amount: 10,
          },
        ],
        zuoraCustomerIdSales: 'A00000001',
        amountRemaining: 0,
        applied: 10,
      });
    }
  }

  async *pages(startAfterId: number): AsyncGenerator<CreditMemoCandidate[], void, undefined> {
    this.readsFrom.push(startAfterId);
    const ids = [...this.memos.keys()].filter((id) => id > startAfterId).sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i += PAGE_SIZE) {
      yield ids.slice(i, i + PAGE_SIZE).map((id) => structuredClone(this.memos.get(id)!));
    }
  }

  readonly client: Pick<NetSuiteClient, 'patchRecord'> = {
    patchRecord: async (_type, id, fields) => {
      const memo = this.memos.get(Number(id))!;
      if (fields[F.integrationStatus] === IntegrationStatus.syncComplete && this.failWriteBackOf === Number(id)) {
        this.failWriteBackOf = null;
        throw new NetSuiteApiError({ httpStatus: 503 });
      }
      this.patches.push({ id: Number(id), fields });
      if (F.integrationStatus in fields) memo.integrationStatus = fields[F.integrationStatus] as string;
      if (F.zuoraId in fields) memo.zuoraId = fields[F.zuoraId] as string;
      return { location: `/creditMemo/${id}` };
    },
  };
}

/** Zuora: invoice adjustments kept in memory; every create request is recorded. */
class FakeZuora implements AdjustmentsApi {
  readonly adjustments: InvoiceAdjustmentRecord[] = [];
  readonly created: string[] = [];

  async findInvoiceAdjustmentsByReferenceIds(referenceIds: readonly string[]) {
    return this.adjustments.filter((a) => referenceIds.includes(a.ReferenceId!));
  }

  async createInvoiceAdjustments(list: Parameters<AdjustmentsApi['createInvoiceAdjustments']>[0]) {
    return list.map((body, index) => {
      const Id = `ADJ-${this.adjustments.length + 1}`;
      const ReferenceId = String(body.ReferenceId);
      this.adjustments.push({
        Id,
        ReferenceId,
        InvoiceId: String(body.InvoiceId),
        Type: body.Type,
        Status: 'Processed',
      });
      this.created.push(ReferenceId);
      return { index, success: true as const, id: Id };
    });
  }
}

const input: CreditMemoChunkInput = {
  tenantId: 't1',
  modifiedSince: '1970-01-01T00:00:00',
  startAfterId: 0,
  maxPages: 100,
  pageSize: PAGE_SIZE,
  dryRun: false,
  syncDate: '2026-11-30T10:00:00',
  standard: true,
  negativeBalance: false,
};

/** One attempt of the chunk activity; `heartbeatDetails` = what the previous attempt last heartbeated. */
async function attempt(
  netsuite: FakeNetSuite,
  zuora: FakeZuora,
  reports: ReportStore,
  heartbeatDetails?: unknown,
): Promise<{ result?: SyncChunkResult; error?: unknown; lastHeartbeat: unknown }> {
  const env = new MockActivityEnvironment({ heartbeatDetails, attempt: heartbeatDetails === undefined ? 1 : 2 });
  let lastHeartbeat: unknown = heartbeatDetails;
  env.on('heartbeat', (d: unknown) => (lastHeartbeat = d));
  try {
    const result: SyncChunkResult = await env.run(() =>
      runChunk<CreditMemoCandidate>({
        input,
        kind: 'credit-memo',
        reports,
        netsuite: netsuite.client,
        workflowId: 'wf-unit',
        netsuiteWriteConcurrency: async () => 4,
        pages: (startAfterId) => netsuite.pages(startAfterId),
        makePageProcessor: creditMemoPageProcessor({ zuora, input, fields: F }),
      }),
    );
    return { result, lastHeartbeat };
  } catch (error) {
    return { error, lastHeartbeat };
  }
}

const newReports = () => new ReportStore(mkdtempSync(join(tmpdir(), 'sync-chunk-unit-')));
const dup = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

test('given a checkpoint, the chunk reads on after it and writes nothing at or before it', async () => {
  const netsuite = new FakeNetSuite();
  const zuora = new FakeZuora();
  const checkpoint: ChunkHeartbeat = {
    startAfterId: 0,
    cursor: 20,
    pages: 2,
    tally: { ...emptyTally(), examined: 20, eligible: 20, created: 20, synced: 20 },
    undecided: emptyUndecided(),
  };

  const { result } = await attempt(netsuite, zuora, newReports(), checkpoint);

  expect(result).toMatchObject({ resumed: true, done: true, cursor: 30, pages: 3 });
  expect(netsuite.readsFrom).toEqual([20]);
  expect(zuora.created.map(Number).sort((a, b) => a - b)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  expect(netsuite.patches.filter((p) => p.id <= 20)).toEqual([]);
  // The checkpoint's counts carry over: the chunk reports the whole chunk, not only this attempt.
  expect(result!.tally).toMatchObject({ examined: 30, eligible: 30, created: 30, synced: 30, failed: 0 });
});

test('a chunk that failed mid-page resumes from its last heartbeat: every memo synced, no adjustment created twice', async () => {
  const netsuite = new FakeNetSuite();
  const zuora = new FakeZuora();
  const reports = newReports();
  netsuite.failWriteBackOf = 25; // created in Zuora, then NetSuite's write-back fails: the attempt fails

  const first = await attempt(netsuite, zuora, reports);
  expect(first.error).toBeDefined();
  const checkpoint = first.lastHeartbeat as ChunkHeartbeat;
  expect(checkpoint.cursor).toBeLessThan(25);

  const patchesBefore = netsuite.patches.length;
  const second = await attempt(netsuite, zuora, reports, checkpoint);

  expect(second.result).toMatchObject({ resumed: true, done: true, cursor: 30 });
  expect(netsuite.readsFrom).toEqual([0, checkpoint.cursor]);
  // Never twice: each memo's adjustment was created once over both attempts, and every memo has one.
  expect(dup(zuora.created)).toEqual([]);
  expect(new Set(zuora.created)).toEqual(new Set([...netsuite.memos.keys()].map(String)));
  // The retry wrote nothing for the memos the checkpoint covers.
  expect(netsuite.patches.slice(patchesBefore).filter((p) => p.id <= checkpoint.cursor)).toEqual([]);
  // Every memo ends Sync Complete with its own adjustment's id.
  for (const memo of netsuite.memos.values()) {
    const adjustment = zuora.adjustments.find((a) => a.ReferenceId === memo.id)!;
    expect({ id: memo.id, status: memo.integrationStatus, zuoraId: memo.zuoraId }).toEqual({
      id: memo.id,
      status: IntegrationStatus.syncComplete,
      zuoraId: adjustment.Id,
    });
  }
  // Counted once each. Memos the failed attempt wrote back after the checkpoint are Sync Complete when the retry
  // reads them again: skipped as such (§7: Integration Status ≠ Sync Complete), not synced a second time.
  const tally = second.result!.tally;
  expect(tally).toMatchObject({ examined: MEMOS, failed: 0 });
  expect(tally.synced + (tally.skippedByReason['already-sync-complete'] ?? 0)).toBe(MEMOS);
  expect(tally.created + tally.alreadyInZuora).toBe(tally.synced);
});

test("a checkpoint of another chunk (other startAfterId) is not this chunk's: it starts from its beginning", () => {
  const other: ChunkHeartbeat = {
    startAfterId: 500,
    cursor: 620,
    pages: 3,
    tally: emptyTally(),
    undecided: emptyUndecided(),
  };
  expect(resumePoint(other, { startAfterId: 0 })).toMatchObject({ resumed: false, start: { cursor: 0, pages: 0 } });
  expect(resumePoint(other, { startAfterId: 500 })).toMatchObject({ resumed: true, start: { cursor: 620 } });
  expect(resumePoint(undefined, { startAfterId: 0 })).toMatchObject({ resumed: false, start: { cursor: 0 } });
  expect(resumePoint({ cursor: 'garbled' }, { startAfterId: 0 })).toMatchObject({ resumed: false });
});

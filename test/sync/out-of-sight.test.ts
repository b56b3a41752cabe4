// No credit memo falls out of the sync's sight (issue 12, points 3 and 5), on the real Temporal dev server against
// both emulators. Expectations come from seed 002 / docs/zuora.md §7 ("syncs only credit memos applied to an
// invoice that originated in Zuora", "must be fully applied", "if a credit memo is unapplied after it has been
// synced, you must reconcile manually") and from docs/netsuite-amounts.md (the remaining amount column).
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { IntegrationStatus, ZuoraType } from '../../src/netsuite/fields';
import { MAX_UNDECIDED, mergeUndecided, type UndecidedRecord } from '../../src/shared/sync';
import { duplicateReferenceIds, F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness((harness, tenant) => {
  h = harness;
  demo = tenant;
});

const SYNCS = { standard: true, negativeBalance: true } as const;

/** A run whose watermark the next run finds (visibility lists it as completed). */
async function run(name: string, input: Record<string, unknown> = {}) {
  const workflowId = `${name}-${h.tenantId}`;
  const result = await h.creditMemos({ ...SYNCS, ...input }, workflowId);
  await h.visible(workflowId);
  return result;
}

test('a memo whose invoice reaches Zuora after the first run is synced by a later run, the memo itself unchanged', async () => {
  const account = h.netsuiteEmulator.admin.account;
  // An invoice in NetSuite that has not reached Zuora yet (no Zuora ID / Zuora Type), and a memo fully applied to it,
  // last modified long before the demo records (so before every watermark a run will keep).
  const invoice = account.addInvoice({
    customer: demo.customers.acme,
    tranDate: '2025-01-05',
    total: 70,
    lastModified: new Date(Date.UTC(2025, 0, 5, 8, 0, 0)),
  });
  const memo = account.addCreditMemo({
    customer: demo.customers.acme,
    tranDate: '2025-01-05',
    total: 70,
    memo: 'waits for its invoice',
    lastModified: new Date(Date.UTC(2025, 0, 5, 8, 1, 0)),
    connector: { customerIdSales: 'A00000001', origin: 'NETSUITE' },
    applications: [{ invoice, amount: 70 }],
  });
  const memoModified = h.record(memo).lastmodifieddate;

  const first = await run('cm-first');
  expect(h.adjustments(String(memo))).toHaveLength(0);
  expect(first.undecided?.records.map((r) => r.id)).toContain(String(memo));
  expect(first.newWatermark! > '2025-01-05T08:01:00').toBe(true);

  // The invoice reaches Zuora: the connector writes its Zuora ID and Type on the *invoice*; the memo is not touched.
  account.updateBodyFields(invoice, {
    [F.zuoraId]: '8a8aa0000000000000000000000000c7',
    [F.zuoraType]: ZuoraType.invoice,
    [F.origin]: 'ZUORA',
    [F.integrationStatus]: IntegrationStatus.syncComplete,
    [F.customerIdSales]: 'A00000001',
  });
  h.mirror();
  expect(h.record(memo).lastmodifieddate).toBe(memoModified);

  const second = await run('cm-second');
  expect(h.adjustments(String(memo))).toEqual([
    expect.objectContaining({ Type: 'Credit', Amount: 70, InvoiceId: '8a8aa0000000000000000000000000c7' }),
  ]);
  expect(h.record(memo)[F.integrationStatus]).toBe('Sync Complete');
  expect(second.undecided?.records.map((r) => r.id)).not.toContain(String(memo));
  expect(duplicateReferenceIds(h)).toEqual([]);
});

test('a memo synced, then unapplied and re-applied to another invoice, is reported with both invoices', async () => {
  const id = demo.creditMemos.standardEligible;
  const first = await run('cm-synced', { negativeBalance: false });
  expect(first.synced).toBe(1);
  const [adjustment] = h.adjustments(String(id));
  expect(adjustment).toMatchObject({ InvoiceId: '8a8aa0000000000000000000000000a1' });

  // Unapplied from INV(acme1), re-applied in full to acme5: nothing remains, so only the invoice changed.
  const account = h.netsuiteEmulator.admin.account;
  account.unapplyCreditMemo(id);
  account.applyCreditMemo(id, { invoice: demo.invoices.acme5, amount: 100 });

  const second = await h.creditMemos({ standard: true });
  expect(second).toMatchObject({ reconciliationNeeded: 1, created: 0, failed: 0 });
  const rows = h.reports.readJsonLines(second.reports.reconciliation!);
  expect(rows).toEqual([
    expect.objectContaining({
      id: String(id),
      amountRemaining: 0,
      syncedToInvoices: ['8a8aa0000000000000000000000000a1'],
      appliedTo: [
        expect.objectContaining({ id: String(demo.invoices.acme5), zuoraId: '8a8aa0000000000000000000000000a5' }),
      ],
    }),
  ]);
  // Never reversed or re-created automatically.
  expect(h.adjustments(String(id))).toEqual([expect.objectContaining({ Id: adjustment!.Id, Status: 'Processed' })]);
  expect(h.record(id)[F.integrationStatus]).toBe('Sync Complete');
});

test('a memo whose remaining amount cannot be read is an error in the report, then synced once it can be read', async () => {
  const id = demo.creditMemos.standardEligible;
  const account = h.netsuiteEmulator.admin.account;
  // SuiteQL leaves null columns out of a row: the memo comes back with no amount columns at all.
  account.database.run(
    `UPDATE "transaction" SET foreignamountremaining = NULL, foreignpaymentamountunused = NULL,
       foreignpaymentamountused = NULL WHERE id = ?`,
    [id],
  );
  const first = await run('cm-unreadable');
  expect(h.adjustments(String(id))).toHaveLength(0);
  expect(first.failed).toBe(1);
  expect(first.skippedByReason['not-fully-applied']).toBe(2); // the demo's partly applied and unapplied memos only
  expect(h.reports.readJsonLines(first.reports.failures!)).toEqual([
    { id: String(id), tranId: `CM${id}`, message: 'cannot decide: remaining amount unreadable' },
  ]);
  expect(first.undecided?.records.map((r) => r.id)).toContain(String(id));

  // The column reads again (nothing else about the memo changed): the next run decides it.
  account.database.run(
    `UPDATE "transaction" SET foreignpaymentamountunused = 0, foreignpaymentamountused = 100 WHERE id = ?`,
    [id],
  );
  const second = await run('cm-readable');
  expect(second.failed).toBe(0);
  expect(h.adjustments(String(id))).toHaveLength(1);
  expect(h.record(id)[F.integrationStatus]).toBe('Sync Complete');
});

test('the undecided set is bounded; what does not fit holds the watermark at the oldest record left out', () => {
  const at = (i: number) =>
    `2025-02-${String(1 + Math.floor(i / 100)).padStart(2, '0')}T00:00:${String(i % 60).padStart(2, '0')}`;
  const records: UndecidedRecord[] = Array.from({ length: MAX_UNDECIDED + 5 }, (_, i) => ({
    id: String(10_000 - i),
    lastModified: at(i),
  }));
  const merged = mergeUndecided(
    { records: records.slice(0, 600), overflowFrom: null },
    {
      records: records.slice(600),
      overflowFrom: null,
    },
  );
  expect(merged.records).toHaveLength(MAX_UNDECIDED);
  const keptIds = new Set(merged.records.map((r) => r.id));
  const left = records.filter((r) => !keptIds.has(r.id));
  expect(left).toHaveLength(5);
  // Every record left out is at or after overflowFrom: a scan from there reads it again.
  expect(merged.overflowFrom).not.toBeNull();
  for (const r of left) expect(r.lastModified >= merged.overflowFrom!).toBe(true);
  for (const r of merged.records) expect(r.lastModified <= merged.overflowFrom!).toBe(true);
});

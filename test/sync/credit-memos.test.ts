// syncNetSuiteCreditMemos on the real Temporal dev server, against both emulators through our real clients: every
// documented case of the standard and negative balance syncs (docs/zuora.md §7, seed 002).
import { recordHistory } from '../helpers/histories';
import type { DemoTenant } from '../../src/emulators/netsuite/seed';
import { IntegrationStatus, ZuoraType } from '../../src/netsuite/fields';
import { duplicateReferenceIds, F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness((harness, tenant) => {
  h = harness;
  demo = tenant;
});

/** Two more Acme memos fully applied to one new Zuora invoice (500); Zuora's open balance is 400 (already credited). */
function twoCreditsOnOneInvoice() {
  const account = h.netsuiteEmulator.admin.account;
  const invoice = account.addInvoice({
    customer: demo.customers.acme,
    tranDate: '2025-01-10',
    total: 500,
    connector: {
      zuoraId: '8a8aa0000000000000000000000000a6',
      zuoraType: ZuoraType.invoice,
      origin: 'ZUORA',
      integrationStatus: IntegrationStatus.syncComplete,
      customerIdSales: 'A00000001',
    },
  });
  const memo = (total: number) =>
    account.addCreditMemo({
      customer: demo.customers.acme,
      tranDate: '2025-01-11',
      total,
      memo: `credit ${total}`,
      connector: { customerIdSales: 'A00000001', origin: 'NETSUITE' },
      applications: [{ invoice, amount: total }],
    });
  const first = memo(300);
  const second = memo(200);
  h.mirror();
  h.zuoraEmulator.state.invoices.get('8a8aa0000000000000000000000000a6')!.Balance = 400;
  return { invoice, first, second };
}

test('both syncs are off by default: nothing is read as eligible and nothing is written', async () => {
  const result = await h.creditMemos({});
  expect(result).toMatchObject({ examined: 0, eligible: 0, created: 0, synced: 0, failed: 0, newWatermark: null });
  expect(h.netsuiteEmulator.admin.counters().patches).toBe(0);
  expect(h.zuoraEmulator.state.invoiceAdjustments.size).toBe(0);
});

test('standard and negative balance syncs: each documented case handled as documented', async () => {
  const extra = twoCreditsOnOneInvoice();
  const result = await h.creditMemos({ standard: true, negativeBalance: true }, 'cm-sync-documented-cases');
  await recordHistory({ workflowId: 'cm-sync-documented-cases' }, 'sync-credit-memos-documented-cases');
  const cm = demo.creditMemos;

  // Standard, eligible: one Credit adjustment, no accounting code, mapped fields; written back.
  const [credit] = h.adjustments(String(cm.standardEligible));
  expect(h.adjustments(String(cm.standardEligible))).toHaveLength(1);
  expect(credit).toMatchObject({
    Type: 'Credit',
    Amount: 100,
    InvoiceId: '8a8aa0000000000000000000000000a1',
    AccountId: 'A00000001',
    AdjustmentDate: '2025-01-11',
    Comments: 'Demo credit 1',
    TransferredToAccounting: 'Yes',
    Origin__NS: 'NETSUITE',
    IntegrationId__NS: String(cm.standardEligible),
    Transaction__NS: `CM${cm.standardEligible}`,
  });
  expect(credit!.AccountingCode).toBeUndefined();
  expect(h.record(cm.standardEligible)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: credit!.Id,
  });

  // Negative balance: a Charge for the full amount on the original negative invoice + a Credit per Zuora invoice,
  // with composite reference ids; the memo keeps its Zuora ID (the negative invoice) and becomes Sync Complete.
  const neg = String(cm.negativeBalance);
  expect(h.adjustments(neg)).toEqual([
    expect.objectContaining({ Type: 'Charge', Amount: 175, InvoiceId: '8a8aa0000000000000000000000000e1' }),
  ]);
  expect(h.adjustments(`${neg}_${demo.invoices.globex1}`)).toEqual([
    expect.objectContaining({
      Type: 'Credit',
      Amount: 100,
      InvoiceId: '8a8aa0000000000000000000000000b1',
      IntegrationId__NS: `${neg}_${demo.invoices.globex1}`,
      Transaction__NS: `CM${neg}_INV${demo.invoices.globex1}`,
    }),
  ]);
  expect(h.adjustments(`${neg}_${demo.invoices.globex2}`)).toEqual([
    expect.objectContaining({ Type: 'Credit', Amount: 75, InvoiceId: '8a8aa0000000000000000000000000b2' }),
  ]);
  expect(h.record(cm.negativeBalance)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: '8a8aa0000000000000000000000000e1',
  });

  // Over the open balance: the first of two credits on one invoice syncs, the second is refused by Zuora →
  // Integration Status Error + message in NetSuite, a line in the failure report; the run went on.
  expect(h.adjustments(String(extra.first))).toHaveLength(1);
  expect(h.adjustments(String(extra.second))).toHaveLength(0);
  const refused = h.record(extra.second);
  expect(refused[F.integrationStatus]).toBe('Error');
  expect(String(refused[F.syncError])).toMatch(/exceeds the invoice balance/);
  const failures = h.reports.readJsonLines(result.reports.failures!);
  expect(failures).toEqual([
    expect.objectContaining({ id: String(extra.second), kind: 'standard', message: expect.stringMatching(/exceeds/) }),
  ]);

  // Ineligible records: untouched, counted per reason.
  for (const id of [
    cm.partlyApplied,
    cm.twoInvoices,
    cm.syncComplete,
    cm.appliedToNativeInvoice,
    cm.unapplied,
    cm.noZuoraCustomer,
  ]) {
    expect(h.adjustments(String(id))).toHaveLength(0);
    expect(h.netsuiteEmulator.admin.counters().patchesByRecord[`creditMemo/${id}`]).toBeUndefined();
  }
  expect(h.record(cm.syncComplete)[F.zuoraId]).toBe('8a8aa0000000000000000000000000f1');
  expect(result.skippedByReason).toEqual({
    'not-fully-applied': 2, // partly applied, unapplied
    'applied-to-several-zuora-invoices': 1,
    'already-sync-complete': 1,
    'not-applied-to-a-zuora-invoice': 1,
    'no-zuora-customer': 1,
  });
  expect(result).toMatchObject({
    examined: 10,
    eligible: 4,
    created: 5, // 1 + 3 (negative) + 1 (first of the two on one invoice)
    alreadyInZuora: 0,
    synced: 3,
    failed: 1,
    eligibleRemaining: 1,
    reconciliationNeeded: 0,
    reports: { reconciliation: null },
    previousWatermark: null,
    readFrom: '1970-01-01T00:00:00',
  });
  expect(result.newWatermark).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  expect(duplicateReferenceIds(h)).toEqual([]);
});

test('only the negative balance sync on: standard memos are skipped as disabled', async () => {
  const result = await h.creditMemos({ negativeBalance: true });
  expect(result.created).toBe(3);
  expect(result.skippedByReason['standard-sync-disabled']).toBe(6);
  expect(h.adjustments(String(demo.creditMemos.standardEligible))).toHaveLength(0);
});

test('dry run counts what would be created and writes nothing', async () => {
  const result = await h.creditMemos({ standard: true, negativeBalance: true, dryRun: true });
  expect(result).toMatchObject({ dryRun: true, eligible: 2, eligibleRemaining: 2, created: 0, newWatermark: null });
  expect(h.netsuiteEmulator.admin.counters().patches).toBe(0);
  expect(h.zuoraEmulator.state.invoiceAdjustments.size).toBe(0);
});

test('the cutover date: credit memos dated before it never sync', async () => {
  const result = await h.creditMemos({ standard: true, negativeBalance: true, cutoverDate: '2025-01-12' });
  expect(result).toMatchObject({ examined: 0, created: 0 });
  expect(h.zuoraEmulator.state.invoiceAdjustments.size).toBe(0);
});

test("incremental: the next run reads from the previous run's watermark minus the overlap, and syncs nothing twice", async () => {
  const first = await h.creditMemos({ standard: true, negativeBalance: true }, `cm-first-${h.tenantId}`);
  expect(first.synced).toBe(2);
  await h.visible(`cm-first-${h.tenantId}`);

  // A new eligible memo, modified after the first run (the emulator stamps it with the current time).
  const account = h.netsuiteEmulator.admin.account;
  const invoice = account.addInvoice({
    customer: demo.customers.globex,
    tranDate: '2025-02-01',
    total: 60,
    connector: { zuoraId: 'ZINV-NEW', zuoraType: ZuoraType.invoice, origin: 'ZUORA', customerIdSales: 'A00000002' },
  });
  const memo = account.addCreditMemo({
    customer: demo.customers.globex,
    tranDate: '2025-02-02',
    total: 60,
    connector: { customerIdSales: 'A00000002', origin: 'NETSUITE' },
    applications: [{ invoice, amount: 60 }],
  });
  h.mirror();

  const second = await h.creditMemos({ standard: true, negativeBalance: true, overlapMinutes: 1 });
  // The first run's watermark is NetSuite's newest credit memo change when it began (demo memo "noZuoraCustomer",
  // 2025-01-11 09:08); the second run reads from one minute (the overlap) before it.
  expect(first.newWatermark).toBe('2025-01-11T09:08:00');
  expect(second.previousWatermark).toBe(first.newWatermark);
  expect(second.readFrom).toBe('2025-01-11T09:07:00');
  // Read again: the two memos the first run wrote back, the new memo, the two demo memos inside the overlap, and
  // the memo applied to a NetSuite-only invoice (undecided: that invoice may still reach Zuora).
  expect(second.examined).toBe(6);
  expect(second.skippedByReason).toEqual({
    'already-sync-complete': 2,
    'no-zuora-customer': 1,
    'not-fully-applied': 1,
    'not-applied-to-a-zuora-invoice': 1,
  });
  expect(second).toMatchObject({ created: 1, synced: 1, failed: 0 });
  expect(h.adjustments(String(memo))).toHaveLength(1);
  expect(second.newWatermark! >= first.newWatermark!).toBe(true);
  expect(duplicateReferenceIds(h)).toEqual([]);
});

test('a credit memo unapplied after it synced goes to the reconciliation report and is never reversed', async () => {
  const first = await h.creditMemos({ standard: true }, `cm-recon-1-${h.tenantId}`);
  expect(first.synced).toBe(1);
  await h.visible(`cm-recon-1-${h.tenantId}`);
  const id = demo.creditMemos.standardEligible;
  const [adjustment] = h.adjustments(String(id));

  h.netsuiteEmulator.admin.account.unapplyCreditMemo(id);
  const second = await h.creditMemos({ standard: true });
  expect(second).toMatchObject({ reconciliationNeeded: 1, created: 0, failed: 0 });
  const rows = h.reports.readJsonLines(second.reports.reconciliation!);
  expect(rows).toEqual([
    expect.objectContaining({ id: String(id), zuoraId: adjustment!.Id, amountRemaining: 100, total: 100 }),
  ]);
  // Nothing reversed or re-created: the adjustment stands, NetSuite still says Sync Complete.
  expect(h.adjustments(String(id))).toEqual([expect.objectContaining({ Id: adjustment!.Id, Status: 'Processed' })]);
  expect(h.record(id)[F.integrationStatus]).toBe('Sync Complete');
});

test("a crash between Zuora's create and NetSuite's write-back does not duplicate on retry", async () => {
  const id = demo.creditMemos.standardEligible;
  // NetSuite fails this memo's Sync Complete write-back beyond the client's own retries: the activity attempt fails
  // after Zuora created the adjustment; Temporal retries the chunk.
  const fault = h.failNetSuite(
    (method, url, body) => method === 'PATCH' && url.endsWith(`/creditMemo/${id}`) && body.includes('Sync Complete'),
    6,
  );
  const result = await h.creditMemos({ standard: true, negativeBalance: true });
  expect(fault.remaining).toBe(0);
  expect(h.adjustments(String(id))).toHaveLength(1);
  expect(h.record(id)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: h.adjustments(String(id))[0]!.Id,
  });
  expect(result.alreadyInZuora).toBe(1);
  expect(result.failed).toBe(0);
  expect(duplicateReferenceIds(h)).toEqual([]);
});

test('a memo left "Creating Invoice Adjustment" by a crashed run is completed from Zuora on the next run', async () => {
  const id = demo.creditMemos.standardEligible;
  // The state a run that died after Zuora's create leaves behind.
  const created = await h.zuora.createInvoiceAdjustment({
    Type: 'Credit',
    Amount: 100,
    InvoiceId: '8a8aa0000000000000000000000000a1',
    ReferenceId: String(id),
  });
  h.netsuiteEmulator.admin.account.updateBodyFields(id, { [F.integrationStatus]: 'Creating Invoice Adjustment' });

  const result = await h.creditMemos({ standard: true });
  expect(result).toMatchObject({ created: 0, alreadyInZuora: 1, synced: 1 });
  expect(h.adjustments(String(id))).toHaveLength(1);
  expect(h.record(id)).toMatchObject({ [F.integrationStatus]: 'Sync Complete', [F.zuoraId]: created.id });
});

test('a cancelled adjustment (the documented re-sync) does not block a new one', async () => {
  const id = demo.creditMemos.standardEligible;
  const old = await h.zuora.createInvoiceAdjustment({
    Type: 'Credit',
    Amount: 100,
    InvoiceId: '8a8aa0000000000000000000000000a1',
    ReferenceId: String(id),
  });
  h.zuoraEmulator.state.invoiceAdjustments.get(old.id)!.Status = 'Canceled';
  h.zuoraEmulator.state.invoices.get('8a8aa0000000000000000000000000a1')!.Balance = 100;

  const result = await h.creditMemos({ standard: true });
  expect(result).toMatchObject({ created: 1, alreadyInZuora: 0, synced: 1 });
  const live = h.adjustments(String(id)).filter((a) => a.Status !== 'Canceled');
  expect(live).toHaveLength(1);
  expect(h.record(id)[F.zuoraId]).toBe(live[0]!.Id);
});

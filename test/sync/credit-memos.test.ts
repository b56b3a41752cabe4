// syncNetSuiteCreditMemos on the real Temporal dev server, against both emulators through our real clients: the
// switches, the cutover, the watermark and crash recovery (each documented case of one run: documented-cases.test.ts).
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { ZuoraType } from '../../src/netsuite/fields';
import { duplicateReferenceIds, F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness((harness, tenant) => {
  h = harness;
  demo = tenant;
});

test('both syncs are off by default: nothing is read as eligible and nothing is written', async () => {
  const result = await h.creditMemos({});
  expect(result).toMatchObject({ examined: 0, eligible: 0, created: 0, synced: 0, failed: 0, newWatermark: null });
  expect(h.netsuiteEmulator.admin.counters().patches).toBe(0);
  expect(h.zuoraEmulator.state.invoiceAdjustments.size).toBe(0);
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

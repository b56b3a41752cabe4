// syncNetSuiteCreditMemos with both syncs on, once, over the demo tenant (one record per documented case): each case
// of docs/zuora.md §7 and seed 002 is its own test, so one failure does not hide the others. The expectations
// come from the documents, not from the code.
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { IntegrationStatus, ZuoraType } from '../../src/netsuite/fields';
import type { SyncResult } from '../../src/shared/sync';
import { recordHistory } from '../helpers/histories';
import { duplicateReferenceIds, F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness(
  (harness, tenant) => {
    h = harness;
    demo = tenant;
  },
  { once: true },
);

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

let extra: ReturnType<typeof twoCreditsOnOneInvoice>;
let result: SyncResult;
beforeAll(async () => {
  extra = twoCreditsOnOneInvoice();
  result = await h.creditMemos({ standard: true, negativeBalance: true }, 'cm-sync-documented-cases');
  await recordHistory({ workflowId: 'cm-sync-documented-cases' }, 'sync-credit-memos-documented-cases');
});

test('standard, eligible: one Credit adjustment with the mapped fields and no accounting code; written back', () => {
  const id = String(demo.creditMemos.standardEligible);
  const adjustments = h.adjustments(id);
  expect(adjustments).toHaveLength(1);
  expect(adjustments[0]).toMatchObject({
    Type: 'Credit',
    Amount: 100,
    InvoiceId: '8a8aa0000000000000000000000000a1',
    AccountId: 'A00000001',
    AdjustmentDate: '2025-01-11',
    Comments: 'Demo credit 1',
    TransferredToAccounting: 'Yes',
    Origin__NS: 'NETSUITE',
    IntegrationId__NS: id,
    Transaction__NS: `CM${id}`,
  });
  expect(adjustments[0]!.AccountingCode).toBeUndefined();
  expect(h.record(demo.creditMemos.standardEligible)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: adjustments[0]!.Id,
  });
});

test('negative balance: a Charge for the full amount on the original negative invoice', () => {
  expect(h.adjustments(String(demo.creditMemos.negativeBalance))).toEqual([
    expect.objectContaining({ Type: 'Charge', Amount: 175, InvoiceId: '8a8aa0000000000000000000000000e1' }),
  ]);
});

test('negative balance: one Credit per Zuora invoice it was applied to, with composite ids', () => {
  const neg = String(demo.creditMemos.negativeBalance);
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
});

test('negative balance: the memo becomes Sync Complete and keeps its Zuora ID (the negative invoice)', () => {
  expect(h.record(demo.creditMemos.negativeBalance)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: '8a8aa0000000000000000000000000e1',
  });
});

test('several credits on one invoice: the first syncs, the one that would exceed the open balance fails', () => {
  expect(h.adjustments(String(extra.first))).toHaveLength(1);
  expect(h.adjustments(String(extra.second))).toHaveLength(0);
  const refused = h.record(extra.second);
  expect(refused[F.integrationStatus]).toBe('Error');
  expect(String(refused[F.syncError])).toMatch(/exceeds the invoice balance/);
  expect(h.reports.readJsonLines(result.reports.failures!)).toEqual([
    expect.objectContaining({ id: String(extra.second), kind: 'standard', message: expect.stringMatching(/exceeds/) }),
  ]);
});

test.each([
  ['partlyApplied', 'not fully applied (Amount Remaining ≠ 0)'],
  ['unapplied', 'not applied at all'],
  ['twoInvoices', 'applied to two Zuora invoices (exactly one required)'],
  ['syncComplete', 'already Sync Complete'],
  ['appliedToNativeInvoice', 'applied to an invoice that did not originate in Zuora'],
  ['noZuoraCustomer', 'without a Zuora Customer ID'],
] as const)('ineligible, %s (%s): no adjustment, no NetSuite write', (key, _why) => {
  const id = demo.creditMemos[key];
  expect(h.adjustments(String(id))).toHaveLength(0);
  expect(h.netsuiteEmulator.admin.counters().patchesByRecord[`creditMemo/${id}`]).toBeUndefined();
});

test('an already synced memo keeps its Zuora ID', () => {
  expect(h.record(demo.creditMemos.syncComplete)[F.zuoraId]).toBe('8a8aa0000000000000000000000000f1');
});

test('the run counts every skipped memo under its reason', () => {
  expect(result.skippedByReason).toEqual({
    'not-fully-applied': 2, // partly applied, unapplied
    'applied-to-several-zuora-invoices': 1,
    'already-sync-complete': 1,
    'not-applied-to-a-zuora-invoice': 1,
    'no-zuora-customer': 1,
  });
});

test("the run's totals: examined, eligible, created, synced, failed", () => {
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
});

test('no ReferenceId has two live adjustments', () => {
  expect(duplicateReferenceIds(h)).toEqual([]);
});

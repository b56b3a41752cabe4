// The rule fixes the sync oracle (./oracle.test.ts) found, each as one readable case on the demo tenant: the real
// syncNetSuiteCreditMemos on the real Temporal dev server, against both emulators through our real clients.
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { ZuoraType } from '../../src/netsuite/fields';
import { F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness((harness, tenant) => {
  h = harness;
  demo = tenant;
});

/** A Globex invoice that originated in Zuora (Zuora Type INVOICE) but has no Zuora ID yet. */
function invoiceNotYetInZuora(total: number): number {
  return h.netsuiteEmulator.admin.account.addInvoice({
    customer: demo.customers.globex,
    tranDate: '2025-01-10',
    total,
    connector: { zuoraType: ZuoraType.invoice, origin: 'ZUORA', customerIdSales: 'A00000002' },
  });
}

test('§7 "Zuora Type empty": a memo whose Zuora Type is an empty string is a standard memo and syncs', async () => {
  const id = demo.creditMemos.standardEligible;
  h.netsuiteEmulator.admin.account.updateBodyFields(id, { [F.zuoraType]: '' });
  const result = await h.creditMemos({ standard: true });
  expect(h.adjustments(String(id))).toEqual([expect.objectContaining({ Type: 'Credit', Amount: 100 })]);
  expect(h.record(id)[F.integrationStatus]).toBe('Sync Complete');
  expect(result.skippedByReason['other-zuora-type']).toBeUndefined();
});

test('negative balance applied to a Zuora invoice without its Zuora ID yet: nothing posted until it has one', async () => {
  const account = h.netsuiteEmulator.admin.account;
  const pending = invoiceNotYetInZuora(80);
  const memo = account.addCreditMemo({
    customer: demo.customers.globex,
    tranDate: '2025-01-11',
    total: 80,
    connector: {
      zuoraType: ZuoraType.negativeInvoice,
      zuoraId: 'ZNEG-PENDING',
      origin: 'ZUORA',
      customerIdSales: 'A00000002',
    },
    applications: [{ invoice: pending, amount: 80 }],
  });
  h.mirror();

  const first = await h.creditMemos({ negativeBalance: true });
  // Posting the Charge now and marking the memo Sync Complete would leave its Credit out for good.
  expect(h.adjustments(String(memo))).toEqual([]);
  expect(h.adjustments(`${memo}_${pending}`)).toEqual([]);
  expect(h.record(memo)[F.integrationStatus]).toBeNull();
  expect(first.skippedByReason['zuora-invoice-without-zuora-id']).toBe(1);

  // The invoice reaches Zuora: the Charge and the Credit are posted together. (A full scan, so this case does not
  // depend on issue 12 point 3's re-examination of memos whose own record did not change.)
  account.updateBodyFields(pending, { [F.zuoraId]: 'ZINV-PENDING' });
  h.mirror();
  await h.creditMemos({ negativeBalance: true, fullScan: true });
  expect(h.adjustments(String(memo))).toEqual([
    expect.objectContaining({ Type: 'Charge', Amount: 80, InvoiceId: 'ZNEG-PENDING' }),
  ]);
  expect(h.adjustments(`${memo}_${pending}`)).toEqual([
    expect.objectContaining({ Type: 'Credit', Amount: 80, InvoiceId: 'ZINV-PENDING' }),
  ]);
  expect(h.record(memo)[F.integrationStatus]).toBe('Sync Complete');
});

test('standard: applied to a Zuora invoice and to one without its Zuora ID yet is two Zuora invoices, not one', async () => {
  const account = h.netsuiteEmulator.admin.account;
  const pending = invoiceNotYetInZuora(50);
  const memo = account.addCreditMemo({
    customer: demo.customers.globex,
    tranDate: '2025-01-11',
    total: 90,
    connector: { origin: 'NETSUITE', customerIdSales: 'A00000002' },
    applications: [
      { invoice: demo.invoices.globex2, amount: 40 },
      { invoice: pending, amount: 50 },
    ],
  });
  h.mirror();
  const result = await h.creditMemos({ standard: true });
  expect(h.adjustments(String(memo))).toEqual([]);
  expect(result.skippedByReason['applied-to-several-zuora-invoices']).toBe(2); // this one and the demo's twoInvoices
});

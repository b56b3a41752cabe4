import { collect, creditMemoCandidatePages, paymentCandidatePages } from '../../src/netsuite/queries';
import type { DemoTenant } from '../../emulators/netsuite';
import { clientFor, useNetSuiteEmulator } from './fixture';

const SINCE = '2025-01-01T00:00:00';

describe.each(['invoice-to-credit-memo', 'credit-memo-to-invoice'] as const)(
  'domain queries (credit memo links stored %s)',
  (creditMemoLinkDirection) => {
    const emulator = useNetSuiteEmulator({ creditMemoLinkDirection });
    let demo: DemoTenant;

    beforeAll(() => {
      const seeded = emulator().admin.seed({ demo: true });
      if (!seeded.demo) throw new Error('demo tenant not seeded');
      demo = seeded.demo;
    });

    it('finds every credit memo modified since the watermark with its applications and custom fields', async () => {
      const client = clientFor(emulator());
      const memos = await collect(creditMemoCandidatePages(client, { modifiedSince: SINCE, pageSize: 3 }));
      const byId = new Map(memos.map((m) => [m.id, m]));
      const c = demo.creditMemos;
      const inv = demo.invoices;
      expect(memos.map((m) => m.id)).toEqual(
        Object.values(c)
          .map(String)
          .sort((a, b) => Number(a) - Number(b)),
      );

      expect(byId.get(String(c.standardEligible))).toMatchObject({
        amountRemaining: 0,
        applied: 100,
        total: 100,
        zuoraType: null,
        integrationStatus: null,
        zuoraCustomerIdSales: 'A00000001',
        tranDate: '2025-01-11',
        lastModified: '2025-01-11T09:01:00',
        applications: [
          {
            id: String(inv.acme1),
            type: 'CustInvc',
            zuoraId: '8a8aa0000000000000000000000000a1',
            zuoraType: 'INVOICE',
            amount: 100,
          },
        ],
      });
      expect(byId.get(String(c.partlyApplied))).toMatchObject({ amountRemaining: 30, applied: 50 });
      expect(byId.get(String(c.twoInvoices))?.applications.map((a) => [a.id, a.amount])).toEqual([
        [String(inv.acme2), 60],
        [String(inv.acme3), 60],
      ]);
      expect(byId.get(String(c.syncComplete))).toMatchObject({ integrationStatus: 'Sync Complete' });
      expect(byId.get(String(c.negativeBalance))).toMatchObject({
        zuoraType: 'NEGATIVE_INVOICE',
        zuoraId: '8a8aa0000000000000000000000000e1',
        amountRemaining: 0,
        applied: 175,
      });
      expect(byId.get(String(c.negativeBalance))?.applications.map((a) => a.zuoraType)).toEqual(['INVOICE', 'INVOICE']);
      expect(byId.get(String(c.appliedToNativeInvoice))?.applications[0]).toMatchObject({
        zuoraId: null,
        zuoraType: null,
      });
      expect(byId.get(String(c.unapplied))).toMatchObject({ applications: [], amountRemaining: 30, applied: 0 });
      expect(byId.get(String(c.noZuoraCustomer))).toMatchObject({ zuoraCustomerIdSales: null });
    });

    it('honours the watermark and the cutover date', async () => {
      const client = clientFor(emulator());
      const late = await collect(creditMemoCandidatePages(client, { modifiedSince: '2025-01-11T09:05:00' }));
      expect(late.map((m) => m.id)).toEqual(
        [
          demo.creditMemos.negativeBalance,
          demo.creditMemos.appliedToNativeInvoice,
          demo.creditMemos.unapplied,
          demo.creditMemos.noZuoraCustomer,
        ].map(String),
      );
      const none = await collect(
        creditMemoCandidatePages(client, { modifiedSince: SINCE, tranDateFrom: '2025-01-12' }),
      );
      expect(none).toEqual([]);
    });

    it('sees a credit memo unapplied after sync (amount remaining back above 0, newer lastModified)', async () => {
      const client = clientFor(emulator());
      const id = demo.creditMemos.syncComplete;
      emulator().admin.account.unapplyCreditMemo(id);
      const [memo] = (await collect(creditMemoCandidatePages(client, { modifiedSince: '2025-06-01T00:00:00' }))).filter(
        (m) => m.id === String(id),
      );
      expect(memo).toMatchObject({
        integrationStatus: 'Sync Complete',
        amountRemaining: 40,
        applied: 0,
        applications: [],
      });
    });

    it('finds customer payments with their applied invoices and debit memos', async () => {
      const client = clientFor(emulator());
      const payments = await collect(paymentCandidatePages(client, { modifiedSince: SINCE }));
      const byId = new Map(payments.map((p) => [p.id, p]));
      const p = demo.payments;
      expect(payments).toHaveLength(Object.keys(p).length);
      expect(byId.get(String(p.appliedToInvoice))).toMatchObject({
        syncUpdates: 'Yes',
        origin: 'NETSUITE',
        zuoraCustomerIdPayment: 'A00000002',
        applied: 50,
        unapplied: 0,
        applications: [{ id: String(demo.invoices.globex1), zuoraType: 'INVOICE', amount: 50 }],
      });
      expect(byId.get(String(p.fullyUnapplied))).toMatchObject({ applications: [], applied: 0, unapplied: 70 });
      expect(byId.get(String(p.zuoraOrigin))).toMatchObject({ origin: 'ZUORA' });
      expect(byId.get(String(p.syncUpdatesNo))).toMatchObject({ syncUpdates: 'No' });
      expect(byId.get(String(p.syncUpdatesEmpty))).toMatchObject({ syncUpdates: null });
      expect(byId.get(String(p.appliedToDebitMemo))?.applications).toEqual([
        expect.objectContaining({ id: String(demo.invoices.globexDebitMemo), zuoraType: 'DEBIT_MEMO', amount: 75 }),
      ]);
    });
  },
);

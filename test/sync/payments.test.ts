// syncNetSuitePayments on the real Temporal dev server, against both emulators through our real clients
// (docs/zuora.md §7: the post-upgrade NetSuite → Zuora payment sync).
import { recordHistory } from '../helpers/histories';
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { F, type Harness, useDemoHarness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness((harness, tenant) => {
  h = harness;
  demo = tenant;
});

const paymentsOf = (h: Harness, netsuiteId: number) =>
  [...h.zuoraEmulator.state.payments.values()].filter((p) => p.IntegrationId__NS === String(netsuiteId));

test('eligible payments become External payments, applied to the Zuora invoices matched by IntegrationId__NS', async () => {
  const globex1Before = Number(h.zuoraEmulator.state.invoices.get('8a8aa0000000000000000000000000b1')!.Balance);
  const result = await h.payments({}, 'payment-sync-eligible');
  await recordHistory({ workflowId: 'payment-sync-eligible' }, 'sync-payments-eligible');
  const p = demo.payments;

  const [applied] = paymentsOf(h, p.appliedToInvoice);
  expect(paymentsOf(h, p.appliedToInvoice)).toHaveLength(1);
  expect(applied).toMatchObject({
    Type: 'External',
    AccountId: 'A00000002',
    Amount: 50,
    AppliedAmount: 50,
    UnappliedAmount: 0,
    Currency: 'USD',
    EffectiveDate: '2025-01-12',
    IntegrationId__NS: String(p.appliedToInvoice),
    Transaction__NS: `PYMT${p.appliedToInvoice}`,
    Origin__NS: 'NETSUITE',
    TransferredToAccounting: 'Yes',
  });
  expect(h.zuoraEmulator.state.invoices.get('8a8aa0000000000000000000000000b1')!.Balance).toBe(globex1Before - 50);
  expect(h.record(p.appliedToInvoice)).toMatchObject({
    [F.integrationStatus]: 'Sync Complete',
    [F.zuoraId]: applied!.Id,
    [F.origin]: 'NETSUITE',
  });

  // Fully unapplied: eligible, an unapplied payment in Zuora.
  expect(paymentsOf(h, p.fullyUnapplied)).toEqual([expect.objectContaining({ Amount: 70, UnappliedAmount: 70 })]);
  // Applied to a Zuora debit memo: eligible.
  expect(paymentsOf(h, p.appliedToDebitMemo)).toHaveLength(1);

  // Ineligible: Zuora origin, Sync Updates No or empty — untouched.
  for (const id of [p.zuoraOrigin, p.syncUpdatesNo, p.syncUpdatesEmpty]) {
    expect(paymentsOf(h, id)).toHaveLength(0);
    expect(h.netsuiteEmulator.admin.counters().patchesByRecord[`customerPayment/${id}`]).toBeUndefined();
  }
  expect(result.skippedByReason).toEqual({ 'zuora-origin': 1, 'sync-updates-not-yes': 1, 'sync-updates-empty': 1 });
  expect(result).toMatchObject({ examined: 6, eligible: 3, created: 3, synced: 3, failed: 0, alreadyInZuora: 0 });

  // One Zuora payment per Idempotency-Key derived from the NetSuite record.
  const perKey = h.zuoraEmulator.admin.counters().paymentsPerIdempotencyKey;
  expect(perKey).toEqual({
    [`ns-payment-${p.appliedToInvoice}`]: 1,
    [`ns-payment-${p.fullyUnapplied}`]: 1,
    [`ns-payment-${p.appliedToDebitMemo}`]: 1,
  });
});

test('a payment Zuora refuses is marked Error with the message and reported; the others sync', async () => {
  // Zuora's open balance of Globex invoice 1 is lower than what NetSuite applied.
  h.zuoraEmulator.state.invoices.get('8a8aa0000000000000000000000000b1')!.Balance = 20;
  const result = await h.payments({});
  const id = demo.payments.appliedToInvoice;
  expect(paymentsOf(h, id)).toHaveLength(0);
  expect(h.record(id)[F.integrationStatus]).toBe('Error');
  expect(String(h.record(id)[F.syncError])).toMatch(/exceeds its balance/);
  expect(h.reports.readJsonLines(result.reports.failures!)).toEqual([
    expect.objectContaining({ id: String(id), message: expect.stringMatching(/exceeds its balance/) }),
  ]);
  expect(result).toMatchObject({ created: 2, synced: 2, failed: 1, eligibleRemaining: 1 });
});

test("a retry after Zuora created the payment but NetSuite's write-back failed never pays twice", async () => {
  const id = demo.payments.appliedToInvoice;
  const fault = h.failNetSuite(
    (method, url, body) =>
      method === 'PATCH' && url.endsWith(`/customerPayment/${id}`) && body.includes('Sync Complete'),
    6,
  );
  const result = await h.payments({});
  expect(fault.remaining).toBe(0);
  expect(paymentsOf(h, id)).toHaveLength(1);
  expect(h.zuoraEmulator.admin.counters().paymentsPerIdempotencyKey[`ns-payment-${id}`]).toBe(1);
  expect(h.record(id)).toMatchObject({ [F.integrationStatus]: 'Sync Complete', [F.zuoraId]: paymentsOf(h, id)[0]!.Id });
  expect(result).toMatchObject({ failed: 0, alreadyInZuora: 1 });
});

test('a payment left "Creating Payment" by an earlier run is found by IntegrationId__NS, not created again', async () => {
  const id = demo.payments.fullyUnapplied;
  const earlier = await h.zuora.createPayment(
    {
      accountId: 'A00000001',
      amount: 70,
      currency: 'USD',
      type: 'External',
      paymentMethodType: 'Other',
      IntegrationId__NS: String(id),
    },
    'an-earlier-run',
  );
  h.netsuiteEmulator.admin.account.updateBodyFields(id, { [F.integrationStatus]: 'Creating Payment' });
  const result = await h.payments({});
  expect(paymentsOf(h, id)).toHaveLength(1);
  expect(h.record(id)).toMatchObject({ [F.integrationStatus]: 'Sync Complete', [F.zuoraId]: earlier.id });
  expect(result).toMatchObject({ created: 2, alreadyInZuora: 1, synced: 3 });
});

test('a second run finds the synced payments Sync Complete and creates nothing', async () => {
  const first = await h.payments({}, `payments-1-${h.tenantId}`);
  expect(first.created).toBe(3);
  await h.visible(`payments-1-${h.tenantId}`);
  const second = await h.payments({ fullScan: true });
  expect(second).toMatchObject({ created: 0, synced: 0, failed: 0 });
  expect(second.skippedByReason['already-sync-complete']).toBe(3);
  expect(h.zuoraEmulator.state.payments.size).toBe(3);
});

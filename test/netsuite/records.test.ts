import { NetSuiteApiError } from '../../src/netsuite/errors';
import { customFieldText } from '../../src/netsuite/schemas';
import type { DemoTenant } from '../../emulators/netsuite';
import { clientFor, useNetSuiteEmulator } from './fixture';

describe('Record API: client against the emulator', () => {
  const emulator = useNetSuiteEmulator();
  let demo: DemoTenant;

  beforeAll(() => {
    const seeded = emulator().admin.seed({ demo: true });
    if (!seeded.demo) throw new Error('demo tenant not seeded');
    demo = seeded.demo;
  });

  it('gets a credit memo with the apply sublist as a link, or expanded', async () => {
    const client = clientFor(emulator());
    const id = String(demo.creditMemos.twoInvoices);
    const plain = await client.getCreditMemo(id);
    expect(plain).toMatchObject({ id, total: 120, applied: 120, unapplied: 0, amountRemaining: 0 });
    expect(plain.apply.items).toBeUndefined();
    expect(plain.apply.links[0]?.href).toMatch(new RegExp(`/creditMemo/${id}/apply$`));
    expect(customFieldText(plain, 'custbody_zuora_customer_id_sales')).toBe('A00000001');

    const expanded = await client.getCreditMemo(id, { expandSubResources: true });
    const applied = (expanded.apply.items ?? []).filter((line) => line.apply);
    expect(applied.map((line) => [line.doc.id, line.amount])).toEqual([
      [String(demo.invoices.acme2), 60],
      [String(demo.invoices.acme3), 60],
    ]);
    // The customer's other open invoices are listed too, with apply = false.
    expect((expanded.apply.items ?? []).some((line) => !line.apply)).toBe(true);
  });

  it('gets an invoice and a customer payment', async () => {
    const client = clientFor(emulator());
    const invoice = await client.getInvoice(String(demo.invoices.acme1));
    expect(invoice).toMatchObject({ total: 100, amountRemaining: 0, custbody_zuora_type: 'INVOICE' });
    const payment = await client.getCustomerPayment(String(demo.payments.appliedToInvoice), {
      expandSubResources: true,
    });
    expect(payment).toMatchObject({ payment: 50, applied: 50, unapplied: 0, custbody_zuora_sync_updates: 'Yes' });
    expect(payment.apply.items?.filter((l) => l.apply).map((l) => l.doc.id)).toEqual([String(demo.invoices.globex1)]);
  });

  it('PATCHes custom body fields: 204 + Location, state changed, null clears, lastmodifieddate bumped', async () => {
    const client = clientFor(emulator());
    const id = demo.creditMemos.standardEligible;
    const before = emulator().admin.account.transaction(id);
    const { location } = await client.patchRecord('creditMemo', String(id), {
      custbody_zuora_integration_status: 'Sync Complete',
      custbody_zuora_id: '8a8a0000000000000000000000000099',
    });
    expect(location).toBe(`${emulator().url}/services/rest/record/v1/creditMemo/${id}`);
    const after = emulator().admin.account.transaction(id);
    expect(after).toMatchObject({
      custbody_zuora_integration_status: 'Sync Complete',
      custbody_zuora_id: '8a8a0000000000000000000000000099',
    });
    expect(String(after?.lastmodifieddate) > String(before?.lastmodifieddate)).toBe(true);

    await client.patchRecord('creditMemo', String(id), { custbody_zuora_id: null });
    expect(emulator().admin.account.transaction(id)?.custbody_zuora_id).toBeNull();
    expect(emulator().admin.counters().patchesByRecord[`creditMemo/${id}`]).toBe(2);
  });

  it('rejects unknown fields (400 INVALID_CONTENT) and unknown ids (404), without retrying', async () => {
    const client = clientFor(emulator());
    const unknownField = await client
      .patchRecord('creditMemo', String(demo.creditMemos.partlyApplied), { custbody_nope: 'x' })
      .catch((e: unknown) => e);
    expect(unknownField).toBeInstanceOf(NetSuiteApiError);
    expect(unknownField).toMatchObject({
      httpStatus: 400,
      errorCode: 'INVALID_CONTENT',
      errorPath: 'custbody_nope',
      retryable: false,
    });
    // An invoice id is not a credit memo.
    await expect(client.getCreditMemo(String(demo.invoices.acme1))).rejects.toMatchObject({
      httpStatus: 404,
      errorCode: 'NONEXISTENT_ID',
    });
    expect(client.stats().retries).toBe(0);
  });

  it('reports governance limits', async () => {
    const limits = await clientFor(emulator()).getGovernanceLimits();
    expect(limits).toEqual({
      accountConcurrencyLimit: 5,
      accountUnallocatedConcurrencyLimit: 5,
      integrationLimitType: 'accountLimit',
    });
  });
});

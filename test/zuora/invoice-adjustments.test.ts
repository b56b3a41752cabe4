import type { RunningZuoraEmulator, ZRecord } from '../../emulators/zuora';
import { ZuoraApiError, ZuoraClient } from '../../src/zuora';
import { clientFor, rejectionOf, startEmulator } from './helpers';

describe('invoice adjustments', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  let invoice: ZRecord;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true } });
    client = clientFor(emulator);
    const found = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 100);
    if (!found) throw new Error('demo tenant has no open invoice');
    invoice = found;
  });
  afterEach(() => emulator.stop());

  it('creates a credit adjustment, lowers the balance and passes connector fields through', async () => {
    const balance = Number(invoice.Balance);
    const { id } = await client.createInvoiceAdjustment({
      InvoiceNumber: String(invoice.InvoiceNumber),
      Amount: 25.5,
      Type: 'Credit',
      AdjustmentDate: String(invoice.InvoiceDate),
      ReasonCode: 'Standard Adjustment',
      ReferenceId: 'ns-cm-1001',
      Comments: 'from NetSuite',
      IntegrationId__NS: '1001',
      Origin__NS: 'NETSUITE',
      Transaction__NS: 'CM-1001',
      SyncDate__NS: '2026-01-01T00:00:00Z',
      TransferredToAccounting: 'Yes',
    });
    expect(invoice.Balance).toBeCloseTo(balance - 25.5);
    expect(emulator.state.invoiceAdjustments.get(id)).toMatchObject({
      Origin__NS: 'NETSUITE',
      IntegrationId__NS: '1001',
    });
    expect(emulator.admin.counters().adjustmentsPerReferenceId['ns-cm-1001']).toBe(1);
  });

  it('refuses a credit above the invoice balance (CRUD error in an HTTP 200)', async () => {
    const error = await rejectionOf(
      client.createInvoiceAdjustment({ InvoiceId: invoice.Id, Amount: Number(invoice.Balance) + 1, Type: 'Credit' }),
    );
    expect(error).toBeInstanceOf(ZuoraApiError);
    expect(error).toMatchObject({ httpStatus: 200, code: 'INVALID_VALUE', category: 20, retryable: false });
    expect((error as Error).message).toMatch(/exceeds the invoice balance/);
  });

  it('refuses an adjustment dated before the invoice', async () => {
    const error = await rejectionOf(
      client.createInvoiceAdjustment({
        InvoiceId: invoice.Id,
        Amount: 1,
        Type: 'Credit',
        AdjustmentDate: '2000-01-01',
      }),
    );
    expect((error as Error).message).toMatch(/before the invoice date/);
  });

  it('refuses an unknown reason code and an unknown invoice', async () => {
    const reason = await rejectionOf(
      client.createInvoiceAdjustment({ InvoiceId: invoice.Id, Amount: 1, Type: 'Credit', ReasonCode: 'Nope' }),
    );
    expect((reason as Error).message).toMatch(/Reason code 'Nope' does not exist/);
    const missing = await rejectionOf(client.createInvoiceAdjustment({ InvoiceId: 'nope', Amount: 1, Type: 'Credit' }));
    expect((missing as Error).message).toMatch(/does not exist/);
  });

  it('checks the request shape before sending (ReferenceId ≤ 100, invoice reference required)', async () => {
    const tooLong = await rejectionOf(
      client.createInvoiceAdjustment({
        InvoiceId: invoice.Id,
        Amount: 1,
        Type: 'Credit',
        ReferenceId: 'x'.repeat(101),
      }),
    );
    expect(tooLong).toMatchObject({ code: 'CLIENT_VALIDATION', retryable: false });
    const noInvoice = await rejectionOf(client.createInvoiceAdjustment({ Amount: 1, Type: 'Credit' }));
    expect(noInvoice).toMatchObject({ code: 'CLIENT_VALIDATION' });
    expect(client.stats().requests).toBe(0);
  });

  it('action/create answers one result per object; failures do not stop the others', async () => {
    const results = await client.createInvoiceAdjustments([
      { InvoiceId: invoice.Id, Amount: 1, Type: 'Credit', ReferenceId: 'batch-1' },
      { InvoiceId: invoice.Id, Amount: 1_000_000, Type: 'Credit', ReferenceId: 'batch-2' },
      { InvoiceId: invoice.Id, Amount: 2, Type: 'Charge', ReferenceId: 'batch-3' },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ index: 1, code: 'INVALID_VALUE', retryable: false });
    const counters = emulator.admin.counters().adjustmentsPerReferenceId;
    expect(counters).toEqual({ 'batch-1': 1, 'batch-3': 1 });
  });

  it('action/create takes at most 50 objects', async () => {
    const many = Array.from({ length: 51 }, () => ({ InvoiceId: invoice.Id, Amount: 1, Type: 'Credit' as const }));
    expect(await rejectionOf(client.createInvoiceAdjustments(many))).toMatchObject({ code: 'CLIENT_VALIDATION' });
  });
});

import type { RunningZuoraEmulator, ZRecord } from '../../emulators/zuora';
import { ZuoraClient, type PaymentCreate } from '../../src/zuora';
import { clientFor, rawCall, rejectionOf, startEmulator, waitFor } from './helpers';

describe('payments with Idempotency-Key', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  let invoice: ZRecord;
  let body: PaymentCreate;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true } });
    client = clientFor(emulator);
    emulator.admin.enableInvoiceSettlement();
    const found = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 100);
    if (!found) throw new Error('demo tenant has no open invoice');
    invoice = found;
    body = {
      accountId: String(invoice.AccountId),
      amount: 60,
      currency: 'USD',
      type: 'External',
      paymentMethodType: 'Check',
      effectiveDate: '2026-03-01',
      referenceId: 'ns-pay-77',
      invoices: [{ invoiceId: invoice.Id, amount: 50 }],
      IntegrationId__NS: '77',
      Origin__NS: 'NETSUITE',
    };
  });
  afterEach(() => emulator.stop());

  it('a replay with the same key returns the original payment and creates nothing new', async () => {
    const balance = Number(invoice.Balance);
    const first = await client.createPayment(body, 'pay-77');
    const replay = await client.createPayment(body, 'pay-77');
    expect(replay.id).toBe(first.id);
    expect(first).toMatchObject({ appliedAmount: 50, unappliedAmount: 10, IntegrationId__NS: '77' });
    expect(invoice.Balance).toBeCloseTo(balance - 50);
    const counters = emulator.admin.counters();
    expect(counters.paymentsPerIdempotencyKey).toEqual({ 'pay-77': 1 });
    expect(counters.idempotencyReplays).toBe(1);
  });

  it('same key while the first request is in progress: 409, retried until the original result', async () => {
    emulator.admin.holdPayments(true);
    const first = client.createPayment(body, 'pay-held');
    await waitFor(() => emulator.admin.counters().limits.inFlight === 1);

    const impatient = clientFor(emulator, { maxRetries: 0 });
    const conflict = await rejectionOf(impatient.createPayment(body, 'pay-held'));
    expect(conflict).toMatchObject({ httpStatus: 409, retryable: true });

    const patient = clientFor(emulator, { maxRetries: 10_000, backoff: { baseMs: 1, maxMs: 2 } });
    const second = patient.createPayment(body, 'pay-held');
    await waitFor(() => emulator.admin.counters().idempotencyInProgress409 >= 2);
    emulator.admin.holdPayments(false);
    const [a, b] = await Promise.all([first, second]);
    expect(b.id).toBe(a.id);
    expect(emulator.admin.counters().paymentsPerIdempotencyKey).toEqual({ 'pay-held': 1 });
  });

  it('a key reused for a different request is refused with 422', async () => {
    await client.createPayment(body, 'pay-reuse');
    const error = await rejectionOf(client.createPayment({ ...body, amount: 61 }, 'pay-reuse'));
    expect(error).toMatchObject({ httpStatus: 422, retryable: false });
    const raw = await rawCall(emulator, 'POST', '/v1/payments', {
      body: '{}',
      headers: { 'Idempotency-Key': 'pay-reuse' },
    });
    expect(raw.status).toBe(422);
    expect(raw.json).toMatchObject({
      success: false,
      reasons: [{ code: expect.stringMatching(/^\d{8}$/), message: expect.any(String) }],
    });
  });

  it('an amount above the invoice balance is a business-rule error', async () => {
    const error = await rejectionOf(
      client.createPayment({ ...body, amount: 1e7, invoices: [{ invoiceId: invoice.Id, amount: 1e7 }] }, 'pay-big'),
    );
    expect(error).toMatchObject({ httpStatus: 400, category: 30, retryable: false });
  });
});

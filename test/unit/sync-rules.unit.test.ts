// The documented eligibility rules and mappings of the NetSuite → Zuora syncs (docs/zuora.md §7, seed 002; the
// payment sync: §7 "NetSuite → Zuora payment sync"), as pure functions: no server, no emulator. Expectations come from
// the documents; where the code rests on an inference (marked INFERRED in src/activities/sync/rules.ts), the test
// says so.
import type { AppliedDocument, CreditMemoCandidate, PaymentCandidate } from '../../src/netsuite/schemas';
import {
  SkipReason,
  classifyCreditMemo,
  classifyPayment,
  paymentBody,
  paymentIdempotencyKey,
  reappliedAfterSync,
  type CreditMemoRuleOptions,
} from '../../src/activities/sync/rules';

const SYNC_DATE = '2026-11-30T10:00:00';
const bothOn: CreditMemoRuleOptions = { standard: true, negativeBalance: true, syncDate: SYNC_DATE };

/** An invoice that originated in Zuora (Zuora Type INVOICE, Zuora ID set). */
const zuoraInvoice = (id: string, amount: number, zuoraId: string | null = `Z-${id}`): AppliedDocument => ({
  id,
  type: 'CustInvc',
  tranId: `INV${id}`,
  zuoraId,
  zuoraType: 'INVOICE',
  total: amount,
  amount,
});
/** A NetSuite-native invoice (Zuora Type empty). */
const nativeInvoice = (id: string, amount: number): AppliedDocument => ({
  ...zuoraInvoice(id, amount, null),
  zuoraType: null,
});

/** What every candidate has: a NetSuite-native record (no Zuora Type, ID or status), applied to one Zuora invoice. */
const candidate = (id: string, tranId: string, tranDate: string) => ({
  id,
  tranId,
  tranDate,
  lastModified: `${tranDate}T09:00:00`,
  customerId: '7',
  total: 100,
  zuoraId: null,
  integrationStatus: null,
  zuoraType: null,
  origin: 'NETSUITE',
  applications: [zuoraInvoice('301', 100)],
});

/** A standard memo that meets every §7 criterion: fully applied to one Zuora invoice. */
function memo(over: Partial<CreditMemoCandidate> = {}): CreditMemoCandidate {
  return {
    ...candidate('501', 'CM501', '2025-01-11'),
    memo: 'goodwill',
    zuoraCustomerIdSales: 'A00000001',
    amountRemaining: 0,
    applied: 100,
    ...over,
  };
}

/** A memo from a negative Zuora invoice (Zuora Type NEGATIVE_INVOICE, Zuora ID = that invoice), applied to two. */
const negativeMemo = (over: Partial<CreditMemoCandidate> = {}) =>
  memo({
    id: '601',
    tranId: 'CM601',
    total: 175,
    zuoraType: 'NEGATIVE_INVOICE',
    zuoraId: 'Z-NEG',
    applications: [zuoraInvoice('311', 100), zuoraInvoice('312', 75)],
    applied: 175,
    ...over,
  });

describe('standard credit memo sync (§7 Standard)', () => {
  test('eligible: one Credit adjustment with the documented mapping, no accounting code', () => {
    const d = classifyCreditMemo(memo(), bothOn);
    expect(d.kind).toBe('sync');
    if (d.kind !== 'sync') return;
    expect(d.plan.adjustments).toHaveLength(1);
    const body = d.plan.adjustments[0]!.body;
    expect(body).toEqual({
      Type: 'Credit',
      AccountId: 'A00000001', // ZuoraCustomerIDSales
      AdjustmentDate: '2025-01-11', // tranDate
      Amount: 100, // applied amount
      InvoiceId: 'Z-301', // the invoice's Zuora ID
      ReferenceId: '501', // internal id
      IntegrationId__NS: '501',
      Comments: 'goodwill', // memo
      Transaction__NS: 'CM501', // tranId
      TransferredToAccounting: 'Yes',
      Origin__NS: 'NETSUITE',
      SyncDate__NS: SYNC_DATE,
    });
    expect(body).not.toHaveProperty('AccountingCode');
    // Written back: the Zuora ID (of the Credit adjustment) and Sync Complete.
    expect(d.plan.writeBackZuoraId).toBe(true);
  });

  test('"Zuora Type empty": an empty string is empty too', () => {
    expect(classifyCreditMemo(memo({ zuoraType: '' }), bothOn).kind).toBe('sync');
  });

  test.each<[string, Partial<CreditMemoCandidate>, Partial<CreditMemoRuleOptions>, SkipReason]>([
    ['the standard sync is disabled (the default)', {}, { standard: false }, SkipReason.standardSyncDisabled],
    ['Zuora Customer ID empty', { zuoraCustomerIdSales: null }, {}, SkipReason.noZuoraCustomer],
    ['Integration Status Sync Complete', { integrationStatus: 'Sync Complete' }, {}, SkipReason.alreadySyncComplete],
    ['not fully applied', { amountRemaining: 40, applied: 60 }, {}, SkipReason.notFullyApplied],
    ['another Zuora Type', { zuoraType: 'INVOICE' }, {}, SkipReason.otherZuoraType],
    [
      'applied to no Zuora invoice',
      { applications: [nativeInvoice('302', 100)] },
      {},
      SkipReason.notAppliedToZuoraInvoice,
    ],
    [
      'applied to two Zuora invoices',
      { applications: [zuoraInvoice('301', 60), zuoraInvoice('303', 40)] },
      {},
      SkipReason.appliedToSeveralZuoraInvoices,
    ],
    [
      'applied to a Zuora invoice without its Zuora ID',
      { applications: [zuoraInvoice('301', 100, null)] },
      {},
      SkipReason.zuoraInvoiceWithoutZuoraId,
    ],
  ])('not synced when %s', (_case, over, options, reason) => {
    expect(classifyCreditMemo(memo(over), { ...bothOn, ...options })).toEqual({ kind: 'skip', reason });
  });

  test('an amount remaining NetSuite did not return is an error, never a skip (docs/netsuite-amounts.md)', () => {
    expect(classifyCreditMemo(memo({ amountRemaining: null }), bothOn).kind).toBe('undecidable');
  });

  test('"unapplied after it has been synced": not re-synced, reported for manual reconciliation', () => {
    const d = classifyCreditMemo(
      memo({
        integrationStatus: 'Sync Complete',
        zuoraId: 'ADJ-1',
        amountRemaining: 100,
        applied: 0,
        applications: [],
      }),
      bothOn,
    );
    expect(d).toMatchObject({ kind: 'skip', reason: SkipReason.alreadySyncComplete, reconcile: { id: '501' } });
  });

  test('re-applied elsewhere after it synced: reported with both invoices; same invoice or no adjustment found: not', () => {
    const synced = memo({ integrationStatus: 'Sync Complete', zuoraId: 'ADJ-1' });
    expect(reappliedAfterSync(synced, ['Z-999'])).toMatchObject({ id: '501', syncedToInvoices: ['Z-999'] });
    expect(reappliedAfterSync(synced, ['Z-301'])).toBeNull();
    expect(reappliedAfterSync(synced, [])).toBeNull();
  });
});

describe('negative balance credit memo sync (§7 Negative balance)', () => {
  test('a Charge for the full amount on the original negative invoice, and a Credit per Zuora invoice applied to', () => {
    const d = classifyCreditMemo(negativeMemo(), bothOn);
    expect(d.kind).toBe('sync');
    if (d.kind !== 'sync') return;
    expect(d.plan.adjustments.map((a) => [a.referenceId, a.body.Type, a.body.Amount, a.body.InvoiceId])).toEqual([
      ['601', 'Charge', 175, 'Z-NEG'],
      ['601_311', 'Credit', 100, 'Z-311'], // composite id <creditMemoInternalId>_<invoiceInternalId>
      ['601_312', 'Credit', 75, 'Z-312'],
    ]);
    expect(d.plan.adjustments.map((a) => a.body.IntegrationId__NS)).toEqual(['601', '601_311', '601_312']);
    // The memo's Zuora ID already holds the negative invoice: only the status is written back.
    expect(d.plan.writeBackZuoraId).toBe(false);
  });

  test.each<[string, Partial<CreditMemoCandidate>, Partial<CreditMemoRuleOptions>, SkipReason]>([
    [
      'the negative balance sync is disabled (the default)',
      {},
      { negativeBalance: false },
      SkipReason.negativeBalanceSyncDisabled,
    ],
    ['applied to no transaction', { applications: [], applied: 0 }, {}, SkipReason.notApplied],
    ['not fully applied', { amountRemaining: 75, applied: 100 }, {}, SkipReason.notFullyApplied],
    ['Zuora Customer ID empty', { zuoraCustomerIdSales: null }, {}, SkipReason.noZuoraCustomer],
    ['Integration Status Sync Complete', { integrationStatus: 'Sync Complete' }, {}, SkipReason.alreadySyncComplete],
  ])('not synced when %s', (_case, over, options, reason) => {
    expect(classifyCreditMemo(negativeMemo(over), { ...bothOn, ...options })).toEqual({ kind: 'skip', reason });
  });
});

/** A payment that meets every §7 criterion: applied to one Zuora invoice, Sync Updates Yes. */
function payment(over: Partial<PaymentCandidate> = {}): PaymentCandidate {
  return {
    ...candidate('801', 'PYMT801', '2026-12-01'),
    memo: null,
    zuoraCustomerIdPayment: 'A00000001',
    syncUpdates: 'Yes',
    applied: 100,
    unapplied: 0,
    ...over,
  };
}

describe('payment sync after the upgrade (§7 NetSuite → Zuora payment sync)', () => {
  test('applied to a Zuora invoice: an External payment, TransferredToAccounting Yes, ids mapped', () => {
    const d = classifyPayment(payment());
    expect(d.kind).toBe('sync');
    if (d.kind !== 'sync') return;
    const body = paymentBody(d.plan, 'USD', new Map([['301', 'Z-INV-301']]), SYNC_DATE);
    expect(body).toMatchObject({
      accountId: 'A00000001',
      amount: 100,
      type: 'External',
      financeInformation: { transferredToAccounting: 'Yes' },
      IntegrationId__NS: '801', // internal id
      Transaction__NS: 'PYMT801', // tranId
      // Applied documents matched by their IntegrationId__NS.
      invoices: [{ invoiceId: 'Z-INV-301', amount: 100 }],
    });
  });

  test('fully unapplied: eligible', () => {
    expect(classifyPayment(payment({ applications: [], applied: 0, unapplied: 100 })).kind).toBe('sync');
  });

  test('applied to a Zuora debit memo: eligible, the memo paid by its Zuora ID', () => {
    const debitMemo = { ...zuoraInvoice('401', 100), zuoraType: 'DEBIT_MEMO' };
    const d = classifyPayment(payment({ applications: [debitMemo] }));
    expect(d).toMatchObject({ kind: 'sync', plan: { debitMemos: [{ zuoraId: 'Z-401', amount: 100 }] } });
  });

  test.each<[string, Partial<PaymentCandidate>, SkipReason]>([
    ['Zuora Customer ID empty', { zuoraCustomerIdPayment: null }, SkipReason.noZuoraCustomer],
    ['Zuora Origin ZUORA', { origin: 'ZUORA' }, SkipReason.zuoraOrigin],
    ['Zuora Sync Updates No', { syncUpdates: 'No' }, SkipReason.syncUpdatesNotYes],
    ['Zuora Sync Updates without a value', { syncUpdates: null }, SkipReason.syncUpdatesEmpty],
    [
      'applied only to a NetSuite-native invoice',
      { applications: [nativeInvoice('302', 100)] },
      SkipReason.notAppliedToZuoraDocument,
    ],
    ['Integration Status Sync Complete', { integrationStatus: 'Sync Complete' }, SkipReason.alreadySyncComplete],
  ])('not synced when %s', (_case, over, reason) => {
    expect(classifyPayment(payment(over))).toEqual({ kind: 'skip', reason });
  });

  test('the Idempotency-Key is the same for every retry of one NetSuite payment, and differs between payments', () => {
    expect(paymentIdempotencyKey('801')).toBe(paymentIdempotencyKey('801'));
    expect(paymentIdempotencyKey('801')).not.toBe(paymentIdempotencyKey('802'));
  });
});

// The documented eligibility rules and field mappings of the NetSuite→Zuora syncs (docs/zuora.md §7, seed 002),
// as pure functions over the candidates src/netsuite/queries.ts returns. No I/O: the activities beside it do the
// calls; keeping the rules here makes each one easy to find, read and test.
import { IntegrationStatus, ZuoraType } from '../../netsuite/fields';
import type { AppliedDocument, CreditMemoCandidate, PaymentCandidate } from '../../netsuite/schemas';
import type { InvoiceAdjustmentCreate, PaymentCreate } from '../../zuora/schemas';

/** Why a record was not synced; counted per reason in the run's result (SyncResult.skippedByReason). */
export const SkipReason = {
  alreadySyncComplete: 'already-sync-complete',
  integrationStatusIgnore: 'integration-status-ignore',
  noZuoraCustomer: 'no-zuora-customer',
  notFullyApplied: 'not-fully-applied',
  notAppliedToZuoraInvoice: 'not-applied-to-a-zuora-invoice',
  zuoraInvoiceWithoutZuoraId: 'zuora-invoice-without-zuora-id',
  appliedToSeveralZuoraInvoices: 'applied-to-several-zuora-invoices',
  notApplied: 'not-applied',
  negativeInvoiceWithoutZuoraId: 'negative-invoice-without-zuora-id',
  otherZuoraType: 'other-zuora-type',
  standardSyncDisabled: 'standard-sync-disabled',
  negativeBalanceSyncDisabled: 'negative-balance-sync-disabled',
  zeroAmount: 'zero-amount',
  zuoraOrigin: 'zuora-origin',
  syncUpdatesNotYes: 'sync-updates-not-yes',
  syncUpdatesEmpty: 'sync-updates-empty',
  notAppliedToZuoraDocument: 'not-applied-to-a-zuora-document',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/**
 * Skips that can turn into a sync without the credit memo itself being edited (so without its lastmodifieddate
 * moving past the watermark): the invoice it is applied to gets its Zuora ID / Zuora Type later (the invoice is
 * the record that changes). Such memos go into the run's undecided set and are read again by id on every run until
 * they are decided. Applying or unapplying a memo edits the memo itself (INFERRED: the apply sublist is on the memo),
 * so `not-fully-applied` and `applied-to-several-zuora-invoices` are not here.
 */
export const CHANGEABLE_SKIP_REASONS: ReadonlySet<SkipReason> = new Set([
  SkipReason.notAppliedToZuoraInvoice,
  SkipReason.zuoraInvoiceWithoutZuoraId,
]);

/** A memo that cannot be decided: an error in the run's report, examined again on the next run. */
export const CANNOT_DECIDE_AMOUNT = 'cannot decide: remaining amount unreadable';

/** Money compares in cents: SuiteQL amounts are decimals that may carry float noise. */
const isZero = (amount: number) => Math.abs(amount) < 0.005;
const cents = (amount: number) => Math.round(amount * 100) / 100;

/** Zuora's Comments/comment hold at most 255 characters. */
function comment(memo: string | null): string | undefined {
  if (!memo) return undefined;
  return memo.length <= 255 ? memo : `${memo.slice(0, 254)}…`;
}

/** Zuora's `__NS` text fields hold at most 255 characters. */
function nsText(value: string): string {
  return value.length <= 255 ? value : value.slice(0, 255);
}

// ---------------------------------------------------------------------------------------------------------------
// Credit memos → invoice adjustments

export type AdjustmentRequest = {
  /** ReferenceId (= IntegrationId__NS): how a retry or a later run finds the adjustment instead of creating another. */
  referenceId: string;
  body: InvoiceAdjustmentCreate & { ReferenceId: string; InvoiceId: string; Type: 'Credit' | 'Charge' };
};

export type CreditMemoPlan = {
  id: string;
  tranId: string | null;
  kind: 'standard' | 'negative-balance';
  integrationStatus: string | null;
  adjustments: AdjustmentRequest[];
  /**
   * Standard: the Credit adjustment's id goes into the memo's Zuora ID. Negative balance: the field already holds the
   * original negative invoice's id (what the Charge targets), so it is kept and only the status is written.
   */
  writeBackZuoraId: boolean;
};

export type Decision<P> =
  { kind: 'sync'; plan: P } | { kind: 'skip'; reason: SkipReason; reconcile?: ReconciliationEntry };

/** Not decidable from what NetSuite returned (e.g. the remaining amount is missing): an error, never a skip. */
export type CreditMemoDecision = Decision<CreditMemoPlan> | { kind: 'undecidable'; message: string };

export type ReconciliationEntry = {
  id: string;
  tranId: string | null;
  zuoraId: string | null;
  zuoraType: string | null;
  total: number;
  amountRemaining: number;
  applied: number;
  lastModified: string;
  /** The Zuora invoice(s) the memo's adjustment(s) credit, when looked up (re-applied after the sync). */
  syncedToInvoices?: string[];
  /** The invoices the memo is applied to in NetSuite now. */
  appliedTo: Array<{ id: string; tranId: string | null; zuoraId: string | null; amount: number }>;
  action: string;
};

const appliedTo = (m: CreditMemoCandidate): ReconciliationEntry['appliedTo'] =>
  m.applications.map((a) => ({ id: a.id, tranId: a.tranId, zuoraId: a.zuoraId, amount: a.amount }));

export type CreditMemoRuleOptions = { standard: boolean; negativeBalance: boolean; syncDate: string };

export function classifyCreditMemo(m: CreditMemoCandidate, o: CreditMemoRuleOptions): CreditMemoDecision {
  const skip = (reason: SkipReason): Decision<CreditMemoPlan> => ({ kind: 'skip', reason });
  const zuoraType = zuoraTypeOf(m);
  const negative = zuoraType === ZuoraType.negativeInvoice;
  if (zuoraType !== null && !negative) return skip(SkipReason.otherZuoraType);

  if (m.integrationStatus === IntegrationStatus.syncComplete) {
    if (m.amountRemaining === null) return { kind: 'undecidable', message: CANNOT_DECIDE_AMOUNT };
    // Synced while fully applied; an amount remaining now means it was unapplied afterwards: reconcile by hand
    // (documented), never reversed automatically.
    if (!isZero(m.amountRemaining)) {
      return {
        kind: 'skip',
        reason: SkipReason.alreadySyncComplete,
        reconcile: {
          id: m.id,
          tranId: m.tranId,
          zuoraId: m.zuoraId,
          zuoraType: m.zuoraType,
          total: m.total,
          amountRemaining: m.amountRemaining,
          applied: m.applied,
          lastModified: m.lastModified,
          appliedTo: appliedTo(m),
          action:
            'Unapplied in NetSuite after it synced. Reconcile by hand: review the Zuora invoice adjustment(s) with ' +
            `ReferenceId ${m.id}${negative ? ` / ${m.id}_<invoice>` : ''}; to re-sync, cancel them in Zuora and clear ` +
            'Integration Status and Zuora ID on the credit memo.',
        },
      };
    }
    return skip(SkipReason.alreadySyncComplete);
  }
  if (m.integrationStatus === IntegrationStatus.ignore) return skip(SkipReason.integrationStatusIgnore);
  if (!negative && !o.standard) return skip(SkipReason.standardSyncDisabled);
  if (negative && !o.negativeBalance) return skip(SkipReason.negativeBalanceSyncDisabled);
  if (!m.zuoraCustomerIdSales) return skip(SkipReason.noZuoraCustomer);
  if (m.amountRemaining === null) return { kind: 'undecidable', message: CANNOT_DECIDE_AMOUNT };
  if (!isZero(m.amountRemaining)) return skip(SkipReason.notFullyApplied);

  const zuoraInvoices = m.applications.filter(isZuoraInvoice);
  const common = {
    AccountId: m.zuoraCustomerIdSales,
    ...(m.tranDate ? { AdjustmentDate: m.tranDate } : {}),
    ...(comment(m.memo) ? { Comments: comment(m.memo) } : {}),
    TransferredToAccounting: 'Yes' as const,
    Origin__NS: 'NETSUITE',
    SyncDate__NS: o.syncDate,
  };

  if (!negative) {
    if (zuoraInvoices.length === 0) return skip(SkipReason.notAppliedToZuoraInvoice);
    if (zuoraInvoices.length > 1) return skip(SkipReason.appliedToSeveralZuoraInvoices);
    const invoice = zuoraInvoices[0]!;
    if (!invoice.zuoraId) return skip(SkipReason.zuoraInvoiceWithoutZuoraId);
    if (isZero(invoice.amount)) return skip(SkipReason.zeroAmount);
    return {
      kind: 'sync',
      plan: {
        id: m.id,
        tranId: m.tranId,
        kind: 'standard',
        integrationStatus: m.integrationStatus,
        writeBackZuoraId: true,
        adjustments: [
          {
            referenceId: m.id,
            body: {
              ...common,
              Type: 'Credit',
              Amount: cents(invoice.amount),
              InvoiceId: invoice.zuoraId!,
              ReferenceId: m.id,
              IntegrationId__NS: m.id,
              ...(m.tranId ? { Transaction__NS: nsText(m.tranId) } : {}),
            },
          },
        ],
      },
    };
  }

  // Negative balance: one Charge for the full amount on the original negative invoice, plus one Credit per Zuora
  // invoice the memo was applied to, with composite ids <creditMemoId>_<invoiceId> (and tranIds likewise).
  if (m.applications.length === 0) return skip(SkipReason.notApplied);
  if (!m.zuoraId) return skip(SkipReason.negativeInvoiceWithoutZuoraId);
  // Its Credit on a Zuora invoice that has no Zuora ID yet cannot be posted: syncing the rest now would leave it out.
  if (zuoraInvoices.some((invoice) => !invoice.zuoraId)) return skip(SkipReason.zuoraInvoiceWithoutZuoraId);
  if (isZero(m.total)) return skip(SkipReason.zeroAmount);
  const adjustments: AdjustmentRequest[] = [
    {
      referenceId: m.id,
      body: {
        ...common,
        Type: 'Charge',
        Amount: cents(Math.abs(m.total)),
        InvoiceId: m.zuoraId,
        ReferenceId: m.id,
        IntegrationId__NS: m.id,
        ...(m.tranId ? { Transaction__NS: nsText(m.tranId) } : {}),
      },
    },
  ];
  for (const invoice of zuoraInvoices) {
    if (isZero(invoice.amount)) continue;
    const referenceId = `${m.id}_${invoice.id}`;
    adjustments.push({
      referenceId,
      body: {
        ...common,
        Type: 'Credit',
        Amount: cents(invoice.amount),
        InvoiceId: invoice.zuoraId!,
        ReferenceId: referenceId,
        IntegrationId__NS: referenceId,
        ...(m.tranId ? { Transaction__NS: nsText(`${m.tranId}_${invoice.tranId ?? invoice.id}`) } : {}),
      },
    });
  }
  return {
    kind: 'sync',
    plan: {
      id: m.id,
      tranId: m.tranId,
      kind: 'negative-balance',
      integrationStatus: m.integrationStatus,
      writeBackZuoraId: false,
      adjustments,
    },
  };
}

/**
 * A standard memo that synced (Sync Complete, nothing remaining) but whose Credit adjustment(s) in Zuora credit
 * another invoice than the one it is applied to now: it was unapplied after the sync and re-applied elsewhere. Seed
 * 002: "If a credit memo is unapplied after it has been synced, you must reconcile manually" — so it is reported
 * with both invoices, never re-synced. `syncedToInvoices`: InvoiceIds of the memo's live Credit adjustments
 * (ReferenceId = internal id); empty = none found, which proves nothing (not reported).
 */
export function reappliedAfterSync(m: CreditMemoCandidate, syncedToInvoices: string[]): ReconciliationEntry | null {
  if (m.integrationStatus !== IntegrationStatus.syncComplete || zuoraTypeOf(m) !== null) return null;
  if (syncedToInvoices.length === 0) return null;
  const now = m.applications.filter((a) => isZuoraInvoice(a) && a.zuoraId).map((a) => a.zuoraId!);
  const same = now.length === syncedToInvoices.length && syncedToInvoices.every((invoiceId) => now.includes(invoiceId));
  if (same) return null;
  return {
    id: m.id,
    tranId: m.tranId,
    zuoraId: m.zuoraId,
    zuoraType: m.zuoraType,
    total: m.total,
    amountRemaining: m.amountRemaining ?? 0,
    applied: m.applied,
    lastModified: m.lastModified,
    syncedToInvoices,
    appliedTo: appliedTo(m),
    action:
      `Re-applied in NetSuite after it synced: its Zuora adjustment (ReferenceId ${m.id}) credits ` +
      `${syncedToInvoices.join(', ')}, the memo is now applied to ` +
      `${m.applications.map((a) => a.tranId ?? a.id).join(', ') || 'nothing'}. Reconcile by hand; to re-sync, ` +
      'cancel the adjustment in Zuora and clear Integration Status and Zuora ID on the credit memo.',
  };
}

/** "Zuora Type empty" (§7): an empty string is empty too, not another Zuora Type. */
function zuoraTypeOf(m: CreditMemoCandidate): string | null {
  return m.zuoraType || null;
}

/**
 * An invoice that originated in Zuora: "the transaction type is invoice and Zuora Type is INVOICE" (Zuora's Standard
 * rules page). It may not have its Zuora ID yet; the callers skip the memo until it has (§7: "Zuora ID set").
 */
function isZuoraInvoice(doc: AppliedDocument): boolean {
  return doc.zuoraType === ZuoraType.invoice;
}

// ---------------------------------------------------------------------------------------------------------------
// Payments → external payments (after the upgrade)

export type PaymentPlan = {
  id: string;
  tranId: string | null;
  integrationStatus: string | null;
  accountId: string;
  amount: number;
  effectiveDate: string | undefined;
  comment: string | undefined;
  /** Applied NetSuite documents; their Zuora counterparts are matched by IntegrationId__NS = NetSuite internal id. */
  invoices: Array<{ netsuiteId: string; tranId: string | null; zuoraId: string; amount: number }>;
  /** Zuora debit memos (held in NetSuite as invoices): Invoice Settlement objects, not ZOQL-queryable. */
  debitMemos: Array<{ netsuiteId: string; tranId: string | null; zuoraId: string; amount: number }>;
};

export function classifyPayment(p: PaymentCandidate): Decision<PaymentPlan> {
  const skip = (reason: SkipReason): Decision<PaymentPlan> => ({ kind: 'skip', reason });
  if (p.integrationStatus === IntegrationStatus.syncComplete) return skip(SkipReason.alreadySyncComplete);
  if (p.integrationStatus === IntegrationStatus.ignore) return skip(SkipReason.integrationStatusIgnore);
  if (!p.zuoraCustomerIdPayment) return skip(SkipReason.noZuoraCustomer);
  if (p.origin === 'ZUORA') return skip(SkipReason.zuoraOrigin);
  if (p.syncUpdates === null) return skip(SkipReason.syncUpdatesEmpty);
  if (p.syncUpdates !== 'Yes') return skip(SkipReason.syncUpdatesNotYes);
  const zuoraDocs = p.applications.filter(
    (a) =>
      !!a.zuoraId && (a.zuoraType === ZuoraType.invoice || a.zuoraType === ZuoraType.debitMemo) && !isZero(a.amount),
  );
  // Eligible: applied to at least one Zuora invoice or debit memo, or fully unapplied.
  if (zuoraDocs.length === 0 && !isZero(p.applied)) return skip(SkipReason.notAppliedToZuoraDocument);
  if (isZero(p.total) || p.total < 0) return skip(SkipReason.zeroAmount);
  const doc = (a: AppliedDocument) => ({
    netsuiteId: a.id,
    tranId: a.tranId,
    zuoraId: a.zuoraId!,
    amount: cents(a.amount),
  });
  return {
    kind: 'sync',
    plan: {
      id: p.id,
      tranId: p.tranId,
      integrationStatus: p.integrationStatus,
      accountId: p.zuoraCustomerIdPayment,
      amount: cents(p.total),
      effectiveDate: p.tranDate ?? undefined,
      comment: comment(p.memo),
      invoices: zuoraDocs.filter((a) => a.zuoraType === ZuoraType.invoice).map(doc),
      debitMemos: zuoraDocs.filter((a) => a.zuoraType === ZuoraType.debitMemo).map(doc),
    },
  };
}

/**
 * The Zuora payment for a plan. `invoiceIds` maps each applied NetSuite invoice to the Zuora invoice found by its
 * IntegrationId__NS (the caller fails the payment when one is missing). Deterministic for a given (plan, currency, syncDate): an Idempotency-Key replay sends the same
 * body.
 */
export function paymentBody(
  plan: PaymentPlan,
  currency: string,
  invoiceIds: ReadonlyMap<string, string>,
  syncDate: string,
): PaymentCreate {
  return {
    accountId: plan.accountId,
    amount: plan.amount,
    currency,
    type: 'External',
    // INFERRED: NetSuite's payment method is not among the candidate columns; "Other" is a valid external type.
    paymentMethodType: 'Other',
    // The payment came from NetSuite's ledger: Zuora must not sync it back (docs/zuora.md §7 mapping).
    financeInformation: { transferredToAccounting: 'Yes' },
    ...(plan.effectiveDate ? { effectiveDate: plan.effectiveDate } : {}),
    ...(plan.comment ? { comment: plan.comment } : {}),
    ...(plan.invoices.length > 0
      ? {
          invoices: plan.invoices.map((i) => ({
            invoiceId: invoiceIds.get(i.netsuiteId)!,
            amount: i.amount,
          })),
        }
      : {}),
    ...(plan.debitMemos.length > 0
      ? { debitMemos: plan.debitMemos.map((d) => ({ debitMemoId: d.zuoraId, amount: d.amount })) }
      : {}),
    IntegrationId__NS: plan.id,
    ...(plan.tranId ? { Transaction__NS: nsText(plan.tranId) } : {}),
    Origin__NS: 'NETSUITE',
    SyncDate__NS: syncDate,
  };
}

/** Idempotency-Key of a NetSuite payment's Zuora payment: a retry of the same record never pays twice. */
export const paymentIdempotencyKey = (netsuiteId: string) => `ns-payment-${netsuiteId}`;

// The NetSuite → Zuora credit memo sync, written from the documents alone (NOT from src/activities/sync/rules.ts):
// seed 002 (docs/seeds.md), docs/zuora.md §7 "NetSuite → Zuora credit memo sync"
// ("§7"), and Zuora's published pages behind them ("Credit Memo transaction sync rules: Standard" / "… Negative
// balance", "Credit Memo Field Mappings: NetSuite to Zuora Sync"). Each rule quotes the sentence it implements.
// "INFERRED" marks a reading where the documents are silent.

export const STATUS = {
  syncComplete: 'Sync Complete',
  creating: 'Creating Invoice Adjustment',
  error: 'Error',
  ignore: 'Ignore',
} as const;

export const TYPE = { invoice: 'INVOICE', negativeInvoice: 'NEGATIVE_INVOICE', debitMemo: 'DEBIT_MEMO' } as const;

/** A NetSuite invoice as the sync sees it (the connector's body fields). */
export type OInvoice = { id: number; tranId: string; zuoraType: string | null; zuoraId: string | null };

/** A NetSuite credit memo as the sync sees it. */
export type OMemo = {
  id: number;
  tranId: string;
  /** `YYYY-MM-DD`. */
  tranDate: string;
  memo: string | null;
  total: number;
  customerIdSales: string | null;
  integrationStatus: string | null;
  zuoraType: string | null;
  zuoraId: string | null;
  applications: { invoice: number; amount: number }[];
};

export type OSettings = { standard: boolean; negativeBalance: boolean; cutoverDate: string };

/** One invoice adjustment the sync must post for a memo. */
export type OPosting = {
  Type: 'Credit' | 'Charge';
  Amount: number;
  InvoiceId: string;
  ReferenceId: string;
  AdjustmentDate: string;
  Comments: string | undefined;
  IntegrationId__NS: string;
  Transaction__NS: string;
};

export type OKind = 'standard' | 'negative';

export type ODecision =
  { eligible: false; reason: string; kind: OKind | null } | { eligible: true; kind: OKind; postings: OPosting[] };

const round2 = (n: number) => Math.round(n * 100) / 100;

/** "Amount Remaining = 0 (fully applied)" — what is left of the memo after its applications. */
export function amountRemaining(memo: OMemo): number {
  return round2(memo.total - memo.applications.reduce((s, a) => s + a.amount, 0));
}

/**
 * The sync a memo belongs to, by its Zuora Type. §7 Standard: "Zuora Type empty"; §7 Negative balance: "same
 * criteria but Zuora Type = NEGATIVE_INVOICE". Any other Zuora Type (INVOICE, DEBIT_MEMO on a memo) is neither.
 */
export function kindOf(memo: OMemo): OKind | null {
  if (memo.zuoraType === null || memo.zuoraType === '') return 'standard';
  if (memo.zuoraType === TYPE.negativeInvoice) return 'negative';
  return null;
}

/**
 * "an invoice that originated in Zuora (Zuora Type `INVOICE`, Zuora ID set)" (§7). The published Standard page says
 * "(where the transaction type is invoice and Zuora Type is INVOICE)"; so an INVOICE without a Zuora ID yet is a
 * Zuora invoice that cannot be posted to yet (INFERRED: skipped until its Zuora ID arrives).
 */
export function isZuoraInvoice(invoice: OInvoice): boolean {
  return invoice.zuoraType === TYPE.invoice;
}

export function decide(memo: OMemo, invoices: ReadonlyMap<number, OInvoice>, s: OSettings): ODecision {
  const kind = kindOf(memo);
  const skip = (reason: string): ODecision => ({ eligible: false, reason, kind });
  // §7 / seed 002: "Two syncs, both disabled by default" — each runs only when switched on.
  if (kind === null) return skip('zuora-type-neither-empty-nor-negative-invoice');
  if (kind === 'standard' && !s.standard) return skip('standard-disabled');
  if (kind === 'negative' && !s.negativeBalance) return skip('negative-disabled');
  // §7 Connector settings: "cutover dates per object"; src/shared/sync.ts cutoverDate: "NetSuite records dated
  // before this are never synced" (INFERRED: the memo's tranDate, ≥ cutover syncs, as Zuora's other syncs word it).
  if (memo.tranDate < s.cutoverDate) return skip('before-cutover');
  // §7: "Zuora Customer ID not empty".
  if (!memo.customerIdSales) return skip('no-zuora-customer');
  // §7: "Integration Status ≠ `Sync Complete`" (Error, Creating Invoice Adjustment and empty pass) …
  if (memo.integrationStatus === STATUS.syncComplete) return skip('sync-complete');
  // … and §7 Connector custom fields list `Ignore`, which Zuora's "Zuora custom fields" page defines as "The record
  // will no longer be considered for sync."
  if (memo.integrationStatus === STATUS.ignore) return skip('ignore');
  // §7: "Amount Remaining = 0 (fully applied)"; seed 002: "The credit memo must be fully applied."
  if (amountRemaining(memo) !== 0) return skip('not-fully-applied');
  const applied = memo.applications.map((a) => ({ ...a, invoice: invoices.get(a.invoice)! }));
  const zuoraApplied = applied.filter((a) => isZuoraInvoice(a.invoice));
  const comment = memo.memo ?? undefined;

  if (kind === 'standard') {
    // §7: "applied to exactly one invoice that originated in Zuora"; published Standard page: "The credit memo can be
    // applied to other non-Zuora invoices or refunded, but can only reference a single invoice that came from Zuora."
    if (zuoraApplied.length !== 1) return skip('not-exactly-one-zuora-invoice');
    const [target] = zuoraApplied;
    // §7: "Zuora ID set" — the invoice has not reached Zuora yet: a reason that can change (issue 12 point 3).
    if (!target!.invoice.zuoraId) return skip('zuora-invoice-without-zuora-id');
    // §7 Mapping: "applied amount → Amount; invoice's Zuora ID → InvoiceId; NetSuite internalId → ReferenceId and
    // IntegrationId__NS; memo → Comment; tranId → Transaction__NS; tranDate → AdjustmentDate; constants Type Credit".
    return {
      eligible: true,
      kind,
      postings: [
        {
          Type: 'Credit',
          Amount: target!.amount,
          InvoiceId: target!.invoice.zuoraId,
          ReferenceId: String(memo.id),
          AdjustmentDate: memo.tranDate,
          Comments: comment,
          IntegrationId__NS: String(memo.id),
          Transaction__NS: memo.tranId,
        },
      ],
    };
  }

  // Negative balance. §7: "applied to at least one transaction".
  if (memo.applications.length === 0) return skip('not-applied');
  // §7: "one `Charge` adjustment for the full amount on the original negative invoice" — the memo's Zuora ID names it
  // (INFERRED: without it there is nothing to charge; skipped).
  if (!memo.zuoraId) return skip('no-negative-invoice');
  // INFERRED: a Zuora invoice it was applied to that has no Zuora ID yet cannot get its Credit: skipped until it has.
  if (zuoraApplied.some((a) => !a.invoice.zuoraId)) return skip('zuora-invoice-without-zuora-id');
  const charge: OPosting = {
    Type: 'Charge',
    Amount: memo.total,
    InvoiceId: memo.zuoraId,
    ReferenceId: String(memo.id),
    AdjustmentDate: memo.tranDate,
    Comments: comment,
    IntegrationId__NS: String(memo.id),
    Transaction__NS: memo.tranId,
  };
  // §7: "plus one `Credit` adjustment per Zuora invoice it was applied to; composite ids
  // `<creditMemoInternalId>_<invoiceInternalId>`"; field mappings: Transaction__NS "<CM.tranId>_<INV.tranId>".
  const credits: OPosting[] = zuoraApplied.map((a) => ({
    Type: 'Credit',
    Amount: a.amount,
    InvoiceId: a.invoice.zuoraId!,
    ReferenceId: `${memo.id}_${a.invoice.id}`,
    AdjustmentDate: memo.tranDate,
    Comments: comment,
    IntegrationId__NS: `${memo.id}_${a.invoice.id}`,
    Transaction__NS: `${memo.tranId}_${a.invoice.tranId}`,
  }));
  return { eligible: true, kind, postings: [charge, ...credits] };
}

/**
 * The Zuora ID written back on success. §7 Standard: "write back the Zuora ID and `Sync Complete`" — the Credit's id.
 * Negative balance: INFERRED — the memo's Zuora ID already names the negative invoice and one field cannot hold
 * several adjustments, so it stays.
 */
export function zuoraIdOnSuccess(memo: OMemo, kind: OKind, createdCreditId: string | undefined): string | null {
  return kind === 'standard' ? (createdCreditId ?? null) : memo.zuoraId;
}

/** Zuora refuses a posting for documented reasons only (docs/zuora.md §4 and §7). */
export type OZuoraInvoice = { id: string; date: string; balance: number; posted: boolean };

/**
 * Why Zuora would refuse this posting at the end of the run, if it would: docs/zuora.md §4 "AdjustmentDate … not before
 * the invoice date"; §7 Rules "when several credits hit one invoice, the one that would exceed the open balance
 * fails". `balanceAfter` is the invoice's balance after every posting of the run (a positive invoice only loses
 * balance during a run, so a Credit that failed at some moment exceeds the balance at the end too).
 */
export function refusal(p: OPosting, invoice: OZuoraInvoice | undefined, balanceAfter: number): string | null {
  if (!invoice) return 'invoice not in Zuora';
  if (!invoice.posted) return 'invoice not posted';
  if (p.AdjustmentDate < invoice.date) return 'adjustment date before the invoice date';
  if (p.Type === 'Credit' && p.Amount > balanceAfter + 1e-9) return 'exceeds the open balance';
  return null;
}

/**
 * §7 Rules: "if a credit memo is unapplied after it synced, reconcile manually" (seed 002: "If a credit memo is
 * unapplied after it has been synced, you must reconcile manually"). INFERRED: a Sync Complete memo of a sync that
 * is on, after the cutover, with an amount remaining, was unapplied after it synced.
 */
export function needsReconciliation(memo: OMemo, s: OSettings): boolean {
  const kind = kindOf(memo);
  if (kind === null || (kind === 'standard' && !s.standard) || (kind === 'negative' && !s.negativeBalance))
    return false;
  if (memo.tranDate < s.cutoverDate) return false;
  return memo.integrationStatus === STATUS.syncComplete && amountRemaining(memo) !== 0;
}

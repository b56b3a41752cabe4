// The emulated tenant's data, in memory. ZOQL objects keep Zuora's PascalCase field names so queries can read them
// directly; credit memos keep the REST (camelCase) names of the Invoice Settlement API.

export type FieldValue = string | number | boolean | null | undefined;
/** A ZOQL-visible object: canonical field name → value; custom `__NS` / `__c` fields live here too. */
export type ZRecord = Record<string, FieldValue> & { Id: string };

export interface CreditMemoRecord {
  id: string;
  number: string;
  accountId: string;
  amount: number;
  balance: number;
  status: 'Draft' | 'Posted' | 'Cancelled';
  reasonCode: string | null;
  transferredToAccounting: 'Processing' | 'Yes' | 'No' | 'Error' | 'Ignore' | null;
  excludeFromAutoApplyRules: boolean;
  memoDate: string;
  comment: string | null;
  createdDate: string;
  updatedDate: string;
  sourceInvoiceId?: string;
  /** Connector `__NS` and custom `__c` fields. */
  custom: Record<string, FieldValue>;
  /** Emulator-only: the next N write attempts fail with lock contention (…50). */
  lockedAttemptsRemaining: number;
}

export type ZuoraObjectName =
  'Account' | 'Invoice' | 'InvoiceItemAdjustment' | 'InvoiceAdjustment' | 'Payment' | 'ProductRatePlanCharge';

/** A payment run as `GET /v1/payment-runs` answers it (the spec's PaymentRun; docs/zuora.md §10). */
export interface PaymentRunRecord {
  id: string;
  number: string;
  status: 'Pending' | 'Processing' | 'Completed' | 'Error' | 'Canceled';
  /** Only without Invoice Settlement (with the Credit Balance feature). */
  applyCreditBalance: boolean | null;
  runDate: string | null;
  targetDate: string;
  createdDate: string;
}

export class ZuoraState {
  invoiceSettlementEnabled = false;
  readonly accounts = new Map<string, ZRecord>();
  readonly invoices = new Map<string, ZRecord>();
  readonly invoiceItemAdjustments = new Map<string, ZRecord>();
  readonly invoiceAdjustments = new Map<string, ZRecord>();
  readonly payments = new Map<string, ZRecord>();
  readonly productRatePlanCharges = new Map<string, ZRecord>();
  readonly paymentRuns = new Map<string, PaymentRunRecord>();
  readonly creditMemos = new Map<string, CreditMemoRecord>();
  readonly creditMemoIdByNumber = new Map<string, string>();
  readonly invoiceIdByNumber = new Map<string, string>();
  readonly accountIdByNumber = new Map<string, string>();
  readonly reasonCodes = new Set<string>([
    'AR Mig - negative invoice',
    'Standard Adjustment',
    'Write-off',
    'Customer Satisfaction',
    'Correcting invoice error',
  ]);
  private sequence = 0;
  private readonly numbers: Record<string, number> = {};

  /** Zuora-like 32-hex ids, deterministic in creation order. */
  nextId(kind: number): string {
    this.sequence++;
    return `2c92c0f${kind.toString(16)}${this.sequence.toString(16).padStart(24, '0')}`;
  }

  /** Document numbers such as INV00000001, CM00000001, P-00000001. */
  nextNumber(prefix: string): string {
    const n = (this.numbers[prefix] ?? 0) + 1;
    this.numbers[prefix] = n;
    return `${prefix}${String(n).padStart(8, '0')}`;
  }

  objects(name: ZuoraObjectName): Map<string, ZRecord> {
    switch (name) {
      case 'Account':
        return this.accounts;
      case 'Invoice':
        return this.invoices;
      case 'InvoiceItemAdjustment':
        return this.invoiceItemAdjustments;
      case 'InvoiceAdjustment':
        return this.invoiceAdjustments;
      case 'Payment':
        return this.payments;
      case 'ProductRatePlanCharge':
        return this.productRatePlanCharges;
    }
  }

  addAccount(record: ZRecord): void {
    this.accounts.set(record.Id, record);
    if (typeof record.AccountNumber === 'string') this.accountIdByNumber.set(record.AccountNumber, record.Id);
  }

  addInvoice(record: ZRecord): void {
    this.invoices.set(record.Id, record);
    if (typeof record.InvoiceNumber === 'string') this.invoiceIdByNumber.set(record.InvoiceNumber, record.Id);
  }

  addCreditMemo(memo: CreditMemoRecord): void {
    this.creditMemos.set(memo.id, memo);
    this.creditMemoIdByNumber.set(memo.number, memo.id);
  }

  findCreditMemo(key: string): CreditMemoRecord | undefined {
    return this.creditMemos.get(key) ?? this.creditMemos.get(this.creditMemoIdByNumber.get(key) ?? '');
  }

  findInvoice(idOrNumber: { id?: string; number?: string }): ZRecord | undefined {
    if (idOrNumber.id !== undefined) return this.invoices.get(idOrNumber.id);
    if (idOrNumber.number !== undefined) return this.invoices.get(this.invoiceIdByNumber.get(idOrNumber.number) ?? '');
    return undefined;
  }

  summary(): Record<string, unknown> {
    return {
      invoiceSettlementEnabled: this.invoiceSettlementEnabled,
      accounts: this.accounts.size,
      invoices: this.invoices.size,
      invoiceItemAdjustments: this.invoiceItemAdjustments.size,
      invoiceAdjustments: this.invoiceAdjustments.size,
      payments: this.payments.size,
      creditMemos: this.creditMemos.size,
    };
  }
}

/** Kinds used as the id prefix nibble, so an id tells what it identifies when debugging. */
export const IdKind = {
  account: 1,
  invoice: 2,
  invoiceItemAdjustment: 3,
  invoiceAdjustment: 4,
  payment: 5,
  creditMemo: 6,
  productRatePlanCharge: 7,
  paymentRun: 8,
} as const;

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Rounds money to cents so repeated adjustments do not drift. */
export function money(n: number): number {
  return Math.round(n * 100) / 100;
}

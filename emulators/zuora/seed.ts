// Deterministic test data: the same seed number always yields the same tenant (ids, numbers, amounts).
import { z } from 'zod';
import { seededRandom } from '../common';
import {
  IdKind,
  isoDate,
  isoDateTime,
  money,
  type CreditMemoRecord,
  type PaymentRunRecord,
  type ZuoraState,
} from './state';

export const MIGRATION_REASON_CODE = 'AR Mig - negative invoice';

/**
 * Transferred To Accounting of migrated memos on a lived-in tenant. What Zuora's migration sets is not documented,
 * and a tenant may have touched the memos since (the field takes Processing, Yes, No, Error, Ignore — reference
 * §3 — or may be empty), so the emulator seeds every value, null included (inferred: a realistic mix, not a
 * documented one). The migration must bring each of them to Yes.
 */
const TRANSFER_MIX: ReadonlyArray<CreditMemoRecord['transferredToAccounting']> = [
  'No',
  null,
  'No',
  'Processing',
  null,
  'Error',
  'No',
  'Ignore',
  'Yes',
  null,
];
export function mixedTransferredToAccounting(index: number): CreditMemoRecord['transferredToAccounting'] {
  return TRANSFER_MIX[index % TRANSFER_MIX.length] ?? null;
}

export const seedRequestSchema = z.object({
  seed: z.number().int().default(42),
  /** A small tenant to click through: accounts, positive and negative invoices, invoice item adjustments. */
  demo: z.boolean().default(false),
  demoAccounts: z.number().int().min(1).max(1000).default(5),
  /** Credit memos as Zuora's IS migration leaves them (implies Invoice Settlement is enabled). */
  migratedCreditMemos: z.number().int().min(0).max(5_000_000).default(0),
  /** Credit memos with another reason code, so a query by reason code must select. */
  otherCreditMemos: z.number().int().min(0).max(5_000_000).default(0),
  /** Share of migrated memos whose first write attempt(s) hit lock contention (…50). */
  lockedShare: z.number().min(0).max(1).default(0),
  /** Share of migrated memos that are cancelled (writes fail with a business-rule error, …30). */
  cancelledShare: z.number().min(0).max(1).default(0),
  /** Transferred To Accounting of the migrated memos: all `No`, or the mix of every value a tenant may hold. */
  migratedTransferredToAccounting: z.enum(['No', 'mixed']).default('No'),
  /**
   * Offenders of the readiness checklist (seedReadinessOffenders): `every-row` one per row and look-alikes that are
   * not; `demo` (npm start) a draft payment and a pending payment run applying credit balance.
   */
  readinessOffenders: z.enum(['none', 'demo', 'every-row']).default('none'),
});
export type SeedRequest = z.input<typeof seedRequestSchema>;

export interface SeedContext {
  now: number;
  lockReleaseAfterAttempts: number;
}

export function seedTenant(state: ZuoraState, input: SeedRequest, ctx: SeedContext): Record<string, unknown> {
  const req = seedRequestSchema.parse(input);
  const random = seededRandom(req.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const amount = (min: number, max: number): number => money(min + random() * (max - min));
  const day = 86_400_000;

  if (req.demo) {
    // A tenant getting ready for the migration has its one-time charge in its currency (docs/zuora.md §10).
    addMigrationCharge(state, 'USD', ctx.now);
    let adjustments = 0;
    for (let a = 0; a < req.demoAccounts; a++) {
      const accountId = state.nextId(IdKind.account);
      state.addAccount({
        Id: accountId,
        AccountNumber: state.nextNumber('A'),
        Name:
          pick(['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises']) +
          ` ${a + 1}`,
        Currency: 'USD',
        Status: 'Active',
        Balance: 0,
        CreditBalance: 0,
        CreatedDate: isoDateTime(ctx.now - 400 * day),
        IntegrationId__NS: String(1000 + a),
        IntegrationStatus__NS: 'Sync Complete',
      });
      const invoiceCount = 3 + Math.floor(random() * 3);
      for (let i = 0; i < invoiceCount; i++) {
        const total = amount(100, 2000);
        const invoiceId = state.nextId(IdKind.invoice);
        const invoiceDate = isoDate(ctx.now - Math.floor(30 + random() * 300) * day);
        state.addInvoice({
          Id: invoiceId,
          InvoiceNumber: state.nextNumber('INV'),
          AccountId: accountId,
          InvoiceDate: invoiceDate,
          DueDate: invoiceDate,
          Amount: total,
          Balance: random() < 0.5 ? total : money(total * 0.5),
          Status: 'Posted',
          IntegrationId__NS: String(5000 + state.invoices.size),
          // The newest invoice of every other account has not synced yet: a positive invoice with no status, which
          // the pre-upgrade check must not count (it looks for negative invoices only).
          IntegrationStatus__NS: a % 2 === 1 && i === invoiceCount - 1 ? undefined : 'Sync Complete',
        });
        if (random() < 0.4) {
          adjustments++;
          const adjustmentId = state.nextId(IdKind.invoiceItemAdjustment);
          state.invoiceItemAdjustments.set(adjustmentId, {
            Id: adjustmentId,
            AdjustmentNumber: state.nextNumber('IIA-'),
            InvoiceId: invoiceId,
            InvoiceNumber: state.invoices.get(invoiceId)?.InvoiceNumber,
            AccountId: accountId,
            Amount: amount(5, 50),
            Type: 'Credit',
            AdjustmentDate: invoiceDate,
            Status: 'Processed',
            SourceType: 'InvoiceDetail',
            ReasonCode: 'Standard Adjustment',
            // Most already synced to NetSuite; every third not yet and every fifth failed (what the pre-upgrade
            // check must find: no status at all, or a status other than Sync Complete).
            IntegrationStatus__NS:
              adjustments % 3 === 1 ? undefined : adjustments % 5 === 0 ? 'Error' : 'Sync Complete',
          });
        }
      }
      // Every other account has a negative invoice: after the IS migration it becomes a credit memo.
      if (a % 2 === 0) {
        const total = -amount(50, 500);
        const invoiceDate = isoDate(ctx.now - Math.floor(30 + random() * 200) * day);
        state.addInvoice({
          Id: state.nextId(IdKind.invoice),
          InvoiceNumber: state.nextNumber('INV'),
          AccountId: accountId,
          InvoiceDate: invoiceDate,
          DueDate: invoiceDate,
          Amount: total,
          Balance: total,
          Status: 'Posted',
          IntegrationStatus__NS: a === 0 ? undefined : a === 2 ? 'Error' : 'Sync Complete',
        });
      }
    }
  }

  if (req.readinessOffenders !== 'none') seedReadinessOffenders(state, ctx.now, req.readinessOffenders);

  if (req.migratedCreditMemos > 0 || req.otherCreditMemos > 0) {
    state.invoiceSettlementEnabled = true; // credit memos exist only on IS tenants
    const accountIds = [...state.accounts.keys()];
    if (accountIds.length === 0) {
      const accountId = state.nextId(IdKind.account);
      state.addAccount({
        Id: accountId,
        AccountNumber: state.nextNumber('A'),
        Name: 'Bench Account',
        Currency: 'USD',
        Status: 'Active',
      });
      accountIds.push(accountId);
    }
    const memoDate = isoDate(ctx.now);
    const created = isoDateTime(ctx.now);
    const make = (reasonCode: string, migrated: boolean, index = 0): CreditMemoRecord => {
      const value = amount(1, 500);
      const cancelled = migrated && random() < req.cancelledShare;
      const locked = migrated && !cancelled && random() < req.lockedShare;
      return {
        id: state.nextId(IdKind.creditMemo),
        number: state.nextNumber('CM'),
        accountId: accountIds[Math.floor(random() * accountIds.length)] as string,
        amount: value,
        balance: value,
        status: cancelled ? 'Cancelled' : 'Posted',
        reasonCode,
        transferredToAccounting:
          migrated && req.migratedTransferredToAccounting === 'mixed' ? mixedTransferredToAccounting(index) : 'No',
        excludeFromAutoApplyRules: migrated,
        memoDate,
        comment: null,
        createdDate: created,
        updatedDate: created,
        custom: {},
        lockedAttemptsRemaining: locked ? ctx.lockReleaseAfterAttempts : 0,
      };
    };
    for (let i = 0; i < req.migratedCreditMemos; i++) state.addCreditMemo(make(MIGRATION_REASON_CODE, true, i));
    for (let i = 0; i < req.otherCreditMemos; i++)
      state.addCreditMemo(make(pick(['Standard Adjustment', 'Write-off']), false));
  }
  return state.summary();
}

/** The charge Zuora's migration uses to turn credit balances into credit memos (docs/zuora.md §10). */
export function addMigrationCharge(state: ZuoraState, currency: string, now: number): void {
  const id = state.nextId(IdKind.productRatePlanCharge);
  state.productRatePlanCharges.set(id, {
    Id: id,
    Name: `Special one time charge for migration - ${currency}`,
    ChargeModel: 'Flat Fee Pricing',
    ChargeType: 'OneTime',
    Taxable: false,
    CreatedDate: isoDateTime(now),
  });
}

/**
 * Offenders of the readiness checklist (shared/readiness.ts). `demo`: a draft payment and a pending payment run that
 * applies credit balance (two rows to fix or acknowledge). `every-row`: one offender per row, and records that look
 * like offenders but are not: a draft account whose credit balance is empty (null), a posted positive invoice on a draft account, a
 * payment run that applies credit balance but already ran, a negative invoice not synced but already Transferred To
 * Accounting. Numbers: accounts R-…, invoices RINV…, payments RP-…, payment runs PR-….
 */
export function seedReadinessOffenders(state: ZuoraState, now: number, which: 'demo' | 'every-row'): void {
  const day = 86_400_000;
  const created = isoDateTime(now - 60 * day);
  const account = (status: string, currency: string, creditBalance: number | undefined) => {
    const id = state.nextId(IdKind.account);
    state.addAccount({
      Id: id,
      AccountNumber: state.nextNumber('R-'),
      Name: `${status} readiness ${currency}`,
      Currency: currency,
      Status: status,
      Balance: 0,
      CreditBalance: creditBalance,
      CreatedDate: created,
    });
    return id;
  };
  const invoice = (accountId: string, fields: Record<string, string | number | undefined>) => {
    const id = state.nextId(IdKind.invoice);
    const date = isoDate(now - 40 * day);
    state.addInvoice({
      Id: id,
      InvoiceNumber: state.nextNumber('RINV'),
      AccountId: accountId,
      InvoiceDate: date,
      DueDate: date,
      Status: 'Posted',
      IntegrationStatus__NS: 'Sync Complete',
      CreatedDate: created,
      ...fields,
    });
  };
  const activeAccount = account('Active', 'USD', 0);
  const payment = (status: string, amount: number) => {
    const id = state.nextId(IdKind.payment);
    state.payments.set(id, {
      Id: id,
      PaymentNumber: state.nextNumber('RP-'),
      AccountId: activeAccount,
      Amount: amount,
      Currency: 'USD',
      Type: 'External',
      EffectiveDate: isoDate(now - 10 * day),
      Status: status,
      CreatedDate: created,
    });
  };
  const run = (status: PaymentRunRecord['status'], applyCreditBalance: boolean) => {
    const id = state.nextId(IdKind.paymentRun);
    state.paymentRuns.set(id, {
      id,
      number: state.nextNumber('PR-'),
      status,
      applyCreditBalance,
      runDate: status === 'Pending' ? isoDateTime(now + 2 * day) : isoDateTime(now - 5 * day),
      targetDate: isoDate(now),
      createdDate: created,
    });
  };
  payment('Draft', 25); // row 6
  run('Pending', true); // row 8
  if (which === 'demo') return;
  payment('Error', 40); // row 7
  payment('Processed', 50); // not an offender
  run('Pending', false); // not an offender
  run('Completed', true); // not an offender: it already ran
  const draftAccount = account('Draft', 'USD', 120); // row 1
  account('Draft', 'USD', undefined); // not an offender: an empty credit balance is no credit balance
  const canceledAccount = account('Canceled', 'EUR', 75.5); // row 2; EUR has no migration charge: row 9
  invoice(draftAccount, { Amount: -45, Balance: -45 }); // row 3
  invoice(draftAccount, { Amount: 300, Balance: 300 }); // not an offender: positive
  invoice(canceledAccount, { Amount: -30, Balance: -30 }); // row 4
  // Row 5: a draft invoice whose balance is empty but whose amount is negative (never synced either: row 10 too).
  invoice(activeAccount, { Amount: -60, Balance: undefined, Status: 'Draft', IntegrationStatus__NS: undefined });
  invoice(activeAccount, { Amount: 100, Balance: 100, Status: 'Draft' }); // not an offender
  // Row 10: a negative invoice never synced, Transferred To Accounting empty; and one already set to Yes (not).
  invoice(activeAccount, { Amount: -80, Balance: -80, IntegrationStatus__NS: undefined });
  invoice(activeAccount, { Amount: -20, Balance: -20, IntegrationStatus__NS: 'Error', TransferredToAccounting: 'Yes' });
}

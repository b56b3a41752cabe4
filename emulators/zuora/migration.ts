import { MIGRATION_REASON_CODE, mixedTransferredToAccounting } from './seed';
import { IdKind, isoDate, isoDateTime, money, type ZuoraState } from './state';

/**
 * What Zuora does when it enables Invoice Settlement (docs/zuora.md §7): each negative invoice is written off and
 * becomes a credit memo with reason code `AR Mig - negative invoice`, excluded from auto-apply; its Transferred To
 * Accounting value is not documented, so the emulator gives the mix of seed.ts (null, No, Processing, …). Simplification: the write-off zeroes the invoice balance without creating the
 * invoice item adjustments Zuora uses for it. Irreversible, like the real thing: a second call changes nothing.
 */
export function enableInvoiceSettlement(state: ZuoraState, now: number): { creditMemosCreated: number } {
  if (state.invoiceSettlementEnabled) return { creditMemosCreated: 0 };
  state.invoiceSettlementEnabled = true;
  let created = 0;
  for (const invoice of state.invoices.values()) {
    const amount = Number(invoice.Amount);
    if (!(amount < 0) || invoice.Status !== 'Posted') continue;
    const credit = money(-Number(invoice.Balance ?? amount));
    invoice.Balance = 0;
    const stamp = isoDateTime(now);
    state.addCreditMemo({
      id: state.nextId(IdKind.creditMemo),
      number: state.nextNumber('CM'),
      accountId: String(invoice.AccountId),
      amount: money(-amount),
      balance: credit,
      status: 'Posted',
      reasonCode: MIGRATION_REASON_CODE,
      // Not documented: the emulator gives every value a tenant may hold, null included (see seed.ts).
      transferredToAccounting: mixedTransferredToAccounting(created),
      excludeFromAutoApplyRules: true,
      memoDate: isoDate(now),
      comment: `Migrated from negative invoice ${String(invoice.InvoiceNumber)}`,
      createdDate: stamp,
      updatedDate: stamp,
      sourceInvoiceId: invoice.Id,
      custom: {},
      lockedAttemptsRemaining: 0,
    });
    created++;
  }
  return { creditMemosCreated: created };
}

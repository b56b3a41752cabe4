// The readiness checklist's rows as Zuora queries (docs/zuora.md §10): ZOQL for accounts, invoices, payments and the
// migration's one-time charge, the payment run list for payment runs. ZOQL has no joins, no `in` and undocumented
// and/or grouping (docs/zuora.md §2), so every query is pure `and`; joins, unions and the null cases are done here.
// Null fields are left out of ZOQL records: a missing money field is "no amount", never zero by accident.
import { z } from 'zod';
import type { ReadinessOffender } from '../shared/readiness';
import type { ZuoraClient } from './client';
import { ZuoraResponseShapeError } from './errors';
import type { ZoqlRecord } from './schemas';
import { equalsAnyClauses, zoqlString } from './zoql';

/** The charge name Zuora's migration looks for, per currency (docs/zuora.md §10). */
export const migrationChargeName = (currency: string) => `Special one time charge for migration - ${currency}`;

/** A ZOQL money field: a number (a string tolerated); absent when null. */
const amount = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .optional();
const account = z.looseObject({
  Id: z.string(),
  AccountNumber: z.string().optional(),
  Status: z.string().optional(),
  Currency: z.string().optional(),
  CreditBalance: amount,
});
const invoice = z.looseObject({
  Id: z.string(),
  InvoiceNumber: z.string().optional(),
  AccountId: z.string().optional(),
  Status: z.string().optional(),
  Amount: amount,
  Balance: amount,
  TransferredToAccounting: z.string().optional(),
  IntegrationStatus__NS: z.string().optional(),
});
const payment = z.looseObject({
  Id: z.string(),
  PaymentNumber: z.string().optional(),
  AccountId: z.string().optional(),
  Amount: amount,
});
const charge = z.looseObject({ Id: z.string(), Name: z.string().optional(), ChargeModel: z.string().optional() });

/** Every offender of every row, in the rows' order. */
export async function findReadinessOffenders(zuora: ZuoraClient): Promise<ReadinessOffender[]> {
  const out: ReadinessOffender[] = [];
  const all = async <S extends z.ZodType>(zoql: string, schema: S): Promise<z.infer<S>[]> => {
    const rows: z.infer<S>[] = [];
    for await (const r of zuora.queryAll(zoql)) rows.push(parse(schema, r, zoql));
    return rows;
  };
  const accountsByStatusWithCredit = (status: string) =>
    all(
      `select Id, AccountNumber, Currency, CreditBalance from Account where Status = ${zoqlString(status)} and ` +
        'CreditBalance > 0',
      account,
    );
  const money = (n: number | undefined) => (n === undefined ? 'empty' : n.toFixed(2));

  // 1–2: the checklist's filters, as printed.
  for (const [row, status] of [
    ['draft-accounts-with-credit-balance', 'Draft'],
    ['canceled-accounts-with-credit-balance', 'Canceled'],
  ] as const) {
    for (const a of await accountsByStatusWithCredit(status)) {
      out.push({
        row,
        id: a.Id,
        number: a.AccountNumber,
        detail: `${status} account, credit balance ${money(a.CreditBalance)} ${a.Currency ?? ''}`.trim(),
      });
    }
  }

  // 3–4: "Account.Status = … and Invoice.Balance < 0" joins two objects: the invoices, then their accounts.
  const negative = await all(
    'select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice where Balance < 0',
    invoice,
  );
  const accountIds = [...new Set(negative.map((i) => i.AccountId).filter((id): id is string => id !== undefined))];
  const accounts = new Map<string, z.infer<typeof account>>();
  for (const where of equalsAnyClauses('Id', accountIds)) {
    for (const a of await all(`select Id, AccountNumber, Status, Currency from Account where ${where}`, account)) {
      accounts.set(a.Id, a);
    }
  }
  for (const [row, status] of [
    ['draft-accounts-with-negative-invoices', 'Draft'],
    ['canceled-accounts-with-negative-invoices', 'Canceled'],
  ] as const) {
    for (const i of negative) {
      const a = accounts.get(i.AccountId ?? '');
      if (a?.Status !== status) continue;
      out.push({
        row,
        id: i.Id,
        number: i.InvoiceNumber,
        detail: `${status} account ${a.AccountNumber ?? a.Id}, invoice balance ${money(i.Balance)}`,
      });
    }
  }

  // 5: draft invoices with a negative balance; INFERRED: also those whose Balance is empty but Amount negative (a
  // draft may carry no balance yet). Two pure-`and` queries, united by Id.
  const drafts = new Map<string, z.infer<typeof invoice>>();
  for (const money of ['Balance', 'Amount']) {
    const zoql = `select Id, InvoiceNumber, Amount, Balance from Invoice where Status = 'Draft' and ${money} < 0`;
    for (const i of await all(zoql, invoice)) drafts.set(i.Id, i);
  }
  for (const i of drafts.values()) {
    if (i.Balance !== undefined && i.Balance >= 0) continue; // Amount < 0 but a balance that is not negative
    out.push({
      row: 'draft-negative-invoices',
      id: i.Id,
      number: i.InvoiceNumber,
      detail: `draft invoice, balance ${money(i.Balance)}, amount ${money(i.Amount)}`,
    });
  }

  // 6–7: payments by status.
  for (const [row, status] of [
    ['draft-payments', 'Draft'],
    ['error-payments', 'Error'],
  ] as const) {
    const zoql = `select Id, PaymentNumber, AccountId, Amount from Payment where Status = ${zoqlString(status)}`;
    for (const p of await all(zoql, payment)) {
      out.push({ row, id: p.Id, number: p.PaymentNumber, detail: `${status} payment, amount ${money(p.Amount)}` });
    }
  }

  // 8: scheduled payment runs (status Pending, INFERRED) with applyCreditBalance.
  for await (const run of zuora.listPaymentRuns({ status: 'Pending' })) {
    if (run.applyCreditBalance !== true) continue;
    out.push({
      row: 'payment-runs-applying-credit-balance',
      id: run.id,
      number: run.number,
      detail: `pending payment run${run.runDate ? ` on ${run.runDate}` : ''} applies credit balance`,
    });
  }

  // 9: every currency with negative invoices or credit balances needs its one-time charge (Flat Fee Pricing).
  const needing = new Set<string>();
  for (const i of negative) {
    const c = accounts.get(i.AccountId ?? '')?.Currency;
    if (c) needing.add(c);
  }
  for (const a of await all('select Id, Currency, CreditBalance from Account where CreditBalance > 0', account)) {
    if (a.Currency) needing.add(a.Currency);
  }
  const present = new Set<string>();
  const names = [...needing].map(migrationChargeName);
  for (const where of equalsAnyClauses('Name', names)) {
    for (const c of await all(`select Id, Name, ChargeModel from ProductRatePlanCharge where ${where}`, charge)) {
      if (c.ChargeModel === 'Flat Fee Pricing' && c.Name) present.add(c.Name);
    }
  }
  for (const currency of [...needing].sort()) {
    if (present.has(migrationChargeName(currency))) continue;
    out.push({
      row: 'migration-one-time-charge',
      id: currency,
      detail: `no Flat Fee Pricing charge named "${migrationChargeName(currency)}"`,
    });
  }

  // 10: negative invoices not synced (IntegrationStatus__NS empty, or not Sync Complete) whose Transferred To
  // Accounting is not Yes (empty included). `!=` says nothing about null, so the empty status is its own query.
  const unsynced = new Map<string, z.infer<typeof invoice>>();
  for (const cond of ['IntegrationStatus__NS = null', "IntegrationStatus__NS != 'Sync Complete'"]) {
    const zoql =
      'select Id, InvoiceNumber, Amount, TransferredToAccounting, IntegrationStatus__NS from Invoice where ' +
      `Amount < 0 and ${cond}`;
    for (const i of await all(zoql, invoice)) unsynced.set(i.Id, i);
  }
  for (const i of unsynced.values()) {
    if (i.TransferredToAccounting === 'Yes') continue;
    out.push({
      row: 'negative-invoices-never-synced',
      id: i.Id,
      number: i.InvoiceNumber,
      detail:
        `amount ${money(i.Amount)}, integration status ${i.IntegrationStatus__NS ?? 'empty'}, ` +
        `Transferred To Accounting ${i.TransferredToAccounting ?? 'empty'}`,
    });
  }
  return out;
}

function parse<S extends z.ZodType>(schema: S, record: ZoqlRecord, zoql: string): z.infer<S> {
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    throw new ZuoraResponseShapeError(`Unexpected record for "${zoql}": ${parsed.error.message}`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

// Makes the Zuora emulator hold the Zuora side of what the NetSuite emulator was seeded with, as the connector would
// have left it: one Zuora account per NetSuite customer with a Zuora Customer ID (Id = that value), and one Zuora
// invoice per NetSuite invoice that originated in Zuora (Id = its Zuora ID, IntegrationId__NS = its NetSuite internal
// id, balance = its full total: NetSuite credit memos and payments are what the syncs bring over), plus the negative
// invoice behind every NEGATIVE_INVOICE credit memo. Used by the sync tests, the benchmark and the demo.
import { connectorFields, ZuoraType } from '../src/netsuite/fields';
import type { RunningNetSuiteEmulator } from './netsuite/server';
import type { ZuoraState } from './zuora/state';

export type LinkSummary = { accounts: number; invoices: number; negativeInvoices: number };

export function mirrorNetSuiteIntoZuora(
  netsuite: Pick<RunningNetSuiteEmulator, 'admin'>,
  zuora: ZuoraState,
  options: { currency?: string } = {},
): LinkSummary {
  const f = connectorFields();
  const summary: LinkSummary = { accounts: 0, invoices: 0, negativeInvoices: 0 };
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

  for (const c of netsuite.admin.query(`SELECT id, companyname, ${f.customerZuoraId} AS zid FROM customer`)) {
    const id = text(c.zid);
    if (!id || zuora.accounts.has(id)) continue;
    zuora.addAccount({
      Id: id,
      AccountNumber: id,
      Name: text(c.companyname),
      Currency: options.currency ?? 'USD',
      Status: 'Active',
      IntegrationId__NS: text(c.id),
      IntegrationStatus__NS: 'Sync Complete',
    });
    summary.accounts++;
  }

  const accountOf = (customer: unknown): string =>
    text(
      netsuite.admin.query(`SELECT ${f.customerZuoraId} AS zid FROM customer WHERE id = ${Number(customer)}`)[0]?.zid,
    );

  const rows = netsuite.admin.query(
    `SELECT id, tranid, type, entity, trandate, foreigntotal, ${f.zuoraId} AS zid, ${f.zuoraType} AS ztype,
       ${f.customerIdSales} AS zcustomer
     FROM "transaction" WHERE ${f.zuoraId} IS NOT NULL AND type IN ('CustInvc', 'CustCred') ORDER BY id`,
  );
  const accounts = new Map<string, string>();
  for (const r of rows) {
    const zid = text(r.zid);
    if (zuora.invoices.has(zid)) continue;
    const isInvoice = r.type === 'CustInvc' && r.ztype === ZuoraType.invoice;
    const isNegative = r.type === 'CustCred' && r.ztype === ZuoraType.negativeInvoice;
    if (!isInvoice && !isNegative) continue;
    const customer = text(r.entity);
    let account = text(r.zcustomer) || accounts.get(customer);
    if (!account) account = accountOf(customer);
    accounts.set(customer, account);
    const total = Number(r.foreigntotal);
    const amount = isNegative ? -Math.abs(total) : total;
    zuora.addInvoice({
      Id: zid,
      InvoiceNumber: isNegative ? `NEG-${text(r.tranid)}` : `Z${text(r.tranid)}`,
      AccountId: account,
      InvoiceDate: text(r.trandate).slice(0, 10),
      DueDate: text(r.trandate).slice(0, 10),
      Amount: amount,
      Balance: amount,
      Status: 'Posted',
      ...(isInvoice ? { IntegrationId__NS: text(r.id) } : {}),
      IntegrationStatus__NS: 'Sync Complete',
    });
    if (isNegative) summary.negativeInvoices++;
    else summary.invoices++;
  }
  return summary;
}

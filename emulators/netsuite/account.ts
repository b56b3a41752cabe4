import type { Database, SqlValue, Statement } from 'sql.js';
import type { ConnectorFieldIds } from '../../src/netsuite/fields';
import { queryOne, queryRows, type AccountDatabase } from './database';
import { toStoredDate } from './dates';

/** Logical names of the connector's transaction body fields (mapped to script ids through ConnectorFieldIds). */
export type ConnectorBodyField = Exclude<keyof ConnectorFieldIds, 'customerZuoraId'>;
export type ConnectorValues = Partial<Record<ConnectorBodyField, string | null>>;

export type TransactionType = 'CustInvc' | 'CustCred' | 'CustPymt';

/**
 * Which document is `previousdoc` on a credit memo application link. NetSuite does not document it, so the
 * emulator can be run either way and the client's queries must handle both.
 */
export type CreditMemoLinkDirection = 'invoice-to-credit-memo' | 'credit-memo-to-invoice';

export interface CustomerInput {
  id?: number;
  name: string;
  zuoraCustomerId?: string | null;
}

export interface TransactionInput {
  id?: number;
  tranId?: string;
  customer: number;
  /** `YYYY-MM-DD`. */
  tranDate: string;
  total: number;
  memo?: string | null;
  externalId?: string | null;
  connector?: ConnectorValues;
  /** Defaults to the account clock. */
  lastModified?: Date;
}

export interface Application {
  /** Internal id of the invoice (or Zuora debit memo, which NetSuite holds as an invoice). */
  invoice: number;
  amount: number;
}

export class EmulatorStateError extends Error {}

const LINK_TYPE = 'Payment';

/** The emulated account's records and the operations that keep their amounts, statuses and links consistent. */
export class NetSuiteAccount {
  private readonly db: Database;
  private readonly fields: ConnectorFieldIds;
  private insertTransaction: Statement | undefined;

  constructor(
    private readonly data: AccountDatabase,
    private readonly clock: () => number,
    public creditMemoLinkDirection: CreditMemoLinkDirection = 'invoice-to-credit-memo',
  ) {
    this.db = data.db;
    this.fields = data.fields;
  }

  get database(): Database {
    return this.db;
  }

  get bodyFieldIds(): readonly string[] {
    return this.data.bodyFields;
  }

  now(): string {
    return toStoredDate(new Date(this.clock()));
  }

  scriptId(field: ConnectorBodyField): string {
    return this.fields[field];
  }

  addCustomer(input: CustomerInput): number {
    const id = input.id ?? this.nextId('customer');
    this.db.run(
      `INSERT INTO customer (id, entityid, companyname, ${this.fields.customerZuoraId}, lastmodifieddate)
       VALUES (?, ?, ?, ?, ?)`,
      [id, `CUST${id}`, input.name, input.zuoraCustomerId ?? null, this.now()],
    );
    return id;
  }

  addInvoice(input: TransactionInput): number {
    const id = this.insert('CustInvc', input, {
      status: 'CustInvc:A',
      foreignamountremaining: input.total,
      foreignamountpaid: 0,
    });
    return id;
  }

  addCreditMemo(input: TransactionInput & { applications?: Application[] }): number {
    const id = this.insert('CustCred', input, {
      status: 'CustCred:A',
      foreignamountremaining: input.total,
      foreignpaymentamountused: 0,
      foreignpaymentamountunused: input.total,
    });
    for (const application of input.applications ?? []) this.applyCreditMemo(id, application, input.lastModified);
    return id;
  }

  addPayment(input: TransactionInput & { applications?: Application[] }): number {
    const id = this.insert('CustPymt', input, {
      status: 'CustPymt:C',
      foreignpaymentamountused: 0,
      foreignpaymentamountunused: input.total,
    });
    for (const application of input.applications ?? []) this.applyPayment(id, application, input.lastModified);
    return id;
  }

  applyCreditMemo(creditMemoId: number, { invoice, amount }: Application, at?: Date): void {
    const memo = this.requireTransaction(creditMemoId, 'CustCred');
    this.requireTransaction(invoice, 'CustInvc');
    const [previousdoc, nextdoc] =
      this.creditMemoLinkDirection === 'invoice-to-credit-memo' ? [invoice, creditMemoId] : [creditMemoId, invoice];
    this.link(memo, invoice, amount, previousdoc, nextdoc, at);
  }

  /** Removes the credit memo's applications (all, or to one invoice); amounts and statuses follow. */
  unapplyCreditMemo(creditMemoId: number, invoice?: number): number {
    const memo = this.requireTransaction(creditMemoId, 'CustCred');
    const links = queryRows(
      this.db,
      `SELECT previousdoc, nextdoc, foreignamount FROM NextTransactionLineLink
       WHERE linktype = ? AND ((previousdoc = ? AND nextdoc = COALESCE(?, nextdoc))
                            OR (nextdoc = ? AND previousdoc = COALESCE(?, previousdoc)))`,
      [LINK_TYPE, creditMemoId, invoice ?? null, creditMemoId, invoice ?? null],
    );
    const at = this.now();
    for (const link of links) {
      const other = Number(link.previousdoc) === creditMemoId ? Number(link.nextdoc) : Number(link.previousdoc);
      this.db.run('DELETE FROM NextTransactionLineLink WHERE previousdoc = ? AND nextdoc = ? AND linktype = ?', [
        Number(link.previousdoc),
        Number(link.nextdoc),
        LINK_TYPE,
      ]);
      this.adjustApplied(memo.id, -Number(link.foreignamount), at);
      this.adjustInvoicePaid(other, -Number(link.foreignamount), at);
    }
    return links.length;
  }

  applyPayment(paymentId: number, { invoice, amount }: Application, at?: Date): void {
    const payment = this.requireTransaction(paymentId, 'CustPymt');
    this.requireTransaction(invoice, 'CustInvc');
    // A payment application is a link from the invoice (previous) to the payment (next).
    this.link(payment, invoice, amount, invoice, paymentId, at);
  }

  /** Sets body fields (by script id); `null` clears. Bumps lastmodifieddate, as any save does. */
  updateBodyFields(id: number, values: Record<string, string | null>): void {
    const columns = Object.keys(values);
    if (columns.length === 0) return;
    this.db.run(
      `UPDATE "transaction" SET ${columns.map((c) => `${c} = ?`).join(', ')}, lastmodifieddate = ? WHERE id = ?`,
      [...columns.map((c) => values[c] ?? null), this.now(), id],
    );
  }

  transaction(id: number): Record<string, SqlValue> | undefined {
    return queryOne(this.db, 'SELECT * FROM "transaction" WHERE id = ?', [id]);
  }

  customerZuoraId(id: number): string | null {
    const value = this.customer(id)?.[this.fields.customerZuoraId];
    return value === null || value === undefined ? null : String(value);
  }

  customer(id: number): Record<string, SqlValue> | undefined {
    return queryOne(this.db, 'SELECT * FROM customer WHERE id = ?', [id]);
  }

  /** Application links of a document, whichever side of the link it is on. */
  applicationsOf(id: number): { doc: number; amount: number }[] {
    return queryRows(
      this.db,
      `SELECT CASE WHEN previousdoc = ? THEN nextdoc ELSE previousdoc END AS doc, foreignamount AS amount
       FROM NextTransactionLineLink WHERE linktype = ? AND (previousdoc = ? OR nextdoc = ?) ORDER BY doc`,
      [id, LINK_TYPE, id, id],
    ).map((row) => ({ doc: Number(row.doc), amount: Number(row.amount) }));
  }

  /** Open invoices of a customer (candidates an apply sublist lists with apply = false). */
  openInvoicesOf(customer: number): Record<string, SqlValue>[] {
    return queryRows(
      this.db,
      `SELECT * FROM "transaction" WHERE type = 'CustInvc' AND entity = ? AND foreignamountremaining > 0 ORDER BY id`,
      [customer],
    );
  }

  count(type: TransactionType): number {
    return Number(queryOne(this.db, 'SELECT COUNT(*) AS n FROM "transaction" WHERE type = ?', [type])?.n ?? 0);
  }

  nextId(table: 'customer' | 'transaction'): number {
    return Number(queryOne(this.db, `SELECT COALESCE(MAX(id), 0) + 1 AS id FROM "${table}"`)?.id ?? 1);
  }

  /** Releases cached statements (before the database is closed). */
  close(): void {
    this.insertTransaction?.free();
    this.insertTransaction = undefined;
  }

  private insert(type: TransactionType, input: TransactionInput, amounts: Record<string, SqlValue>): number {
    const id = input.id ?? this.nextId('transaction');
    const bodyFields = this.data.bodyFields;
    if (!this.insertTransaction) {
      this.insertTransaction = this.db.prepare(
        `INSERT INTO "transaction" (id, tranid, type, status, entity, trandate, createddate, lastmodifieddate, memo,
           externalid, foreigntotal, foreignamountremaining, foreignamountpaid, foreignpaymentamountused,
           foreignpaymentamountunused, ${bodyFields.join(', ')})
         VALUES (${Array.from({ length: 15 + bodyFields.length }, () => '?').join(', ')})`,
      );
    }
    const modified = input.lastModified ? toStoredDate(input.lastModified) : this.now();
    const connector = input.connector ?? {};
    const byScriptId = new Map<string, string | null>();
    for (const [field, value] of Object.entries(connector) as [ConnectorBodyField, string | null][]) {
      byScriptId.set(this.fields[field], value);
    }
    const prefix = type === 'CustInvc' ? 'INV' : type === 'CustCred' ? 'CM' : 'PYMT';
    this.insertTransaction.run([
      id,
      input.tranId ?? `${prefix}${id}`,
      type,
      amounts.status ?? null,
      input.customer,
      `${input.tranDate}T00:00:00.000Z`,
      modified,
      modified,
      input.memo ?? null,
      input.externalId ?? null,
      input.total,
      amounts.foreignamountremaining ?? null,
      amounts.foreignamountpaid ?? null,
      amounts.foreignpaymentamountused ?? null,
      amounts.foreignpaymentamountunused ?? null,
      ...bodyFields.map((f) => byScriptId.get(f) ?? null),
    ]);
    return id;
  }

  private link(
    applied: { id: number; unused: number },
    invoice: number,
    amount: number,
    previousdoc: number,
    nextdoc: number,
    at: Date | undefined,
  ): void {
    const target = this.requireTransaction(invoice, 'CustInvc');
    if (!(amount > 0)) throw new EmulatorStateError(`application amount must be positive, got ${amount}`);
    if (amount > applied.unused + 1e-9) {
      throw new EmulatorStateError(
        `transaction ${applied.id} has only ${applied.unused} unapplied, cannot apply ${amount}`,
      );
    }
    if (amount > target.remaining + 1e-9) {
      throw new EmulatorStateError(`invoice ${invoice} has only ${target.remaining} due, cannot apply ${amount}`);
    }
    const stamp = at ? toStoredDate(at) : this.now();
    this.db.run(
      `INSERT INTO NextTransactionLineLink (previousdoc, previousline, previoustype, nextdoc, nextline, nexttype,
         linktype, foreignamount, amount, lastmodifieddate) VALUES (?, 0, ?, ?, 0, ?, ?, ?, ?, ?)`,
      [previousdoc, this.typeOf(previousdoc), nextdoc, this.typeOf(nextdoc), LINK_TYPE, amount, amount, stamp],
    );
    this.adjustApplied(applied.id, amount, stamp);
    this.adjustInvoicePaid(invoice, amount, stamp);
  }

  private adjustApplied(id: number, delta: number, stamp: string): void {
    const row = this.requireRow(id);
    const used = round2(Number(row.foreignpaymentamountused ?? 0) + delta);
    const unused = round2(Number(row.foreigntotal) - used);
    const status =
      row.type === 'CustCred' ? (unused === 0 ? 'CustCred:B' : 'CustCred:A') : String(row.status ?? 'CustPymt:C');
    this.db.run(
      `UPDATE "transaction" SET foreignpaymentamountused = ?, foreignpaymentamountunused = ?,
         foreignamountremaining = CASE WHEN type = 'CustCred' THEN ? ELSE foreignamountremaining END,
         status = ?, lastmodifieddate = MAX(lastmodifieddate, ?) WHERE id = ?`,
      [used, unused, unused, status, stamp, id],
    );
  }

  private adjustInvoicePaid(id: number, delta: number, stamp: string): void {
    const row = this.requireRow(id);
    const paid = round2(Number(row.foreignamountpaid ?? 0) + delta);
    const remaining = round2(Number(row.foreigntotal) - paid);
    this.db.run(
      `UPDATE "transaction" SET foreignamountpaid = ?, foreignamountremaining = ?, status = ?,
         lastmodifieddate = MAX(lastmodifieddate, ?) WHERE id = ?`,
      [paid, remaining, remaining === 0 ? 'CustInvc:B' : 'CustInvc:A', stamp, id],
    );
  }

  private typeOf(id: number): string {
    return String(this.requireRow(id).type);
  }

  private requireRow(id: number): Record<string, SqlValue> {
    const row = this.transaction(id);
    if (!row) throw new EmulatorStateError(`transaction ${id} does not exist`);
    return row;
  }

  private requireTransaction(id: number, type: TransactionType): { id: number; unused: number; remaining: number } {
    const row = this.requireRow(id);
    if (row.type !== type) throw new EmulatorStateError(`transaction ${id} is ${String(row.type)}, not ${type}`);
    return {
      id,
      unused: Number(row.foreignpaymentamountunused ?? 0),
      remaining: Number(row.foreignamountremaining ?? 0),
    };
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export { LINK_TYPE as APPLICATION_LINK_TYPE };
export type { SqlValue };

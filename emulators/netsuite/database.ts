import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { transactionBodyFieldIds, type ConnectorFieldIds } from '../../src/netsuite/fields';
import { formatWithFormat, isStoredDate, parseWithFormat, toStoredDate } from './dates';

/**
 * The emulated account's data in an embedded SQLite (sql.js, WASM), with tables and columns named as SuiteQL
 * names them, so SuiteQL text runs against it nearly unchanged (see suiteql.ts for the few translations).
 * Amounts on transaction headers are positive; link rows carry the applied amount (INFERRED: SuiteQL's own
 * sign conventions for credit memos are not in the reference).
 */
export interface AccountDatabase {
  db: Database;
  fields: ConnectorFieldIds;
  /** Transaction body custom field columns, in schema order. */
  bodyFields: string[];
}

export type SqlJs = Awaited<ReturnType<typeof initSqlJs>>;
let sqlJs: Promise<SqlJs> | undefined;

/** Loads the WASM module once per process; creating databases afterwards is synchronous. */
export function loadSqlJs(): Promise<SqlJs> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

export function createAccountDatabase(SQL: SqlJs, fields: ConnectorFieldIds, now: () => number): AccountDatabase {
  const db = new SQL.Database();
  const bodyFields = transactionBodyFieldIds(fields);
  db.run(`
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    CREATE TABLE customer (
      id INTEGER PRIMARY KEY, entityid TEXT, companyname TEXT, ${fields.customerZuoraId} TEXT,
      lastmodifieddate TEXT NOT NULL
    );
    CREATE TABLE "transaction" (
      id INTEGER PRIMARY KEY, tranid TEXT, type TEXT NOT NULL, status TEXT, entity INTEGER, trandate TEXT,
      createddate TEXT, lastmodifieddate TEXT NOT NULL, memo TEXT, externalid TEXT, currency INTEGER DEFAULT 1,
      foreigntotal REAL, foreignamountremaining REAL, foreignamountpaid REAL,
      foreignpaymentamountused REAL, foreignpaymentamountunused REAL,
      ${bodyFields.map((f) => `${f} TEXT`).join(', ')}
    );
    CREATE INDEX transaction_type_modified ON "transaction" (type, lastmodifieddate);
    CREATE INDEX transaction_type ON "transaction" (type);
    CREATE TABLE transactionline (
      "transaction" INTEGER NOT NULL, id INTEGER NOT NULL, linesequencenumber INTEGER, mainline TEXT NOT NULL,
      item INTEGER, foreignamount REAL, memo TEXT, PRIMARY KEY ("transaction", id)
    );
    CREATE TABLE NextTransactionLineLink (
      previousdoc INTEGER NOT NULL, previousline INTEGER, previoustype TEXT,
      nextdoc INTEGER NOT NULL, nextline INTEGER, nexttype TEXT,
      linktype TEXT NOT NULL, foreignamount REAL, amount REAL, lastmodifieddate TEXT
    );
    CREATE INDEX next_link_previous ON NextTransactionLineLink (previousdoc);
    CREATE INDEX next_link_next ON NextTransactionLineLink (nextdoc);
    -- Same links seen from the other document; NetSuite exposes both views.
    CREATE VIEW PreviousTransactionLineLink AS SELECT * FROM NextTransactionLineLink;
  `);
  registerSuiteqlFunctions(db, now);
  return { db, fields, bodyFields };
}

/** Oracle/SuiteQL functions SQLite lacks. Errors thrown here surface as a 400 for the query. */
function registerSuiteqlFunctions(db: Database, now: () => number): void {
  const requireFormat = (name: string, format: SqlValue): string => {
    if (typeof format !== 'string')
      throw new Error(`${name} needs an explicit format (SuiteQL uses the user's otherwise)`);
    return format;
  };
  db.create_function('TO_DATE', (text: SqlValue, format: SqlValue) =>
    text === null ? null : parseWithFormat(String(text), requireFormat('TO_DATE', format)),
  );
  db.create_function('TO_TIMESTAMP', (text: SqlValue, format: SqlValue) =>
    text === null ? null : parseWithFormat(String(text), requireFormat('TO_TIMESTAMP', format)),
  );
  db.create_function('TO_CHAR', (value: SqlValue, format: SqlValue) => {
    if (value === null) return null;
    if (isStoredDate(value)) return formatWithFormat(value, requireFormat('TO_CHAR', format));
    return String(value);
  });
  db.create_function('TO_NUMBER', (value: SqlValue) => (value === null ? null : Number(value)));
  db.create_function('NVL', (value: SqlValue, fallback: SqlValue) => value ?? fallback);
  db.create_function('NVL2', (value: SqlValue, ifSet: SqlValue, ifNull: SqlValue) => (value === null ? ifNull : ifSet));
  db.create_function('SYSDATE', () => toStoredDate(new Date(now())));
  // BUILTIN.DF gives a field's display value; ids and text display as themselves here.
  db.create_function('BUILTIN_DF', (value: SqlValue) => (value === null ? null : String(value)));
}

/** Runs `fn` in one SQLite transaction (bulk seeding is ~100x faster this way). */
export function inTransaction<T>(db: Database, fn: () => T): T {
  db.run('BEGIN');
  try {
    const result = fn();
    db.run('COMMIT');
    return result;
  } catch (error) {
    db.run('ROLLBACK');
    throw error;
  }
}

export function queryRows(db: Database, sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const rows: Record<string, SqlValue>[] = [];
    while (stmt.step()) rows.push(stmt.getAsObject());
    return rows;
  } finally {
    stmt.free();
  }
}

export function queryOne(db: Database, sql: string, params: SqlValue[] = []): Record<string, SqlValue> | undefined {
  return queryRows(db, sql, params)[0];
}

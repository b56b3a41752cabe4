import type { Database, SqlValue } from 'sql.js';
import { formatUserDate, isStoredDate } from './dates';

/** SuiteQL's hard cap: no page may reach past the 100,000th result of a query. */
export const SUITEQL_RESULT_CAP = 100_000;
export const SUITEQL_MAX_LIMIT = 1000;

export class SuiteqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Rewrites only what SQLite cannot parse, token by token outside string literals:
 * `transaction` (an SQLite keyword) becomes a quoted identifier, `BUILTIN.DF(` becomes `BUILTIN_DF(`, and bare
 * `SYSDATE` becomes a call. Everything else is executed as written.
 */
export function translateSuiteql(q: string): string {
  let out = '';
  let i = 0;
  while (i < q.length) {
    const c = q[i] ?? '';
    if (c === "'" || c === '"') {
      // Copy a literal or quoted identifier verbatim ('' and "" are escapes).
      let j = i + 1;
      for (;;) {
        if (j >= q.length) throw new SuiteqlError('INVALID_PARAMETER', 'Invalid search query: unterminated quote');
        if (q[j] === c) {
          if (q[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += q.slice(i, j + 1);
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*/.exec(q.slice(i))?.[0] ?? c;
      out += translateWord(word);
      i += word.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function translateWord(word: string): string {
  const parts = word.split('.');
  if (parts.length === 2 && parts[0]?.toUpperCase() === 'BUILTIN' && parts[1]?.toUpperCase() === 'DF') {
    return 'BUILTIN_DF';
  }
  if (word.toUpperCase() === 'SYSDATE') return 'SYSDATE()';
  return parts.map((p) => (p.toLowerCase() === 'transaction' ? '"transaction"' : p)).join('.');
}

export interface SuiteqlPageResult {
  items: Record<string, unknown>[];
  totalResults: number;
  hasMore: boolean;
}

/** Executes one page of a read-only query, the way SuiteQL pages it. */
export function executeSuiteqlPage(db: Database, q: string, limit: number, offset: number): SuiteqlPageResult {
  const text = q.trim().replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(text)) {
    throw new SuiteqlError('INVALID_PARAMETER', 'Invalid search query: only SELECT statements are supported.');
  }
  if (text.includes(';')) {
    // Outside literals a semicolon would start a second statement.
    const withoutLiterals = text.replace(/'(?:[^']|'')*'/g, "''");
    if (withoutLiterals.includes(';')) {
      throw new SuiteqlError('INVALID_PARAMETER', 'Invalid search query: a single statement is expected.');
    }
  }
  const sql = translateSuiteql(text);
  try {
    // ORDER BY does not change a count, and without it SQLite can flatten the subquery into a plain range count.
    const total = Number(db.exec(`SELECT COUNT(*) FROM (${withoutTrailingOrderBy(sql)})`)[0]?.values[0]?.[0] ?? 0);
    const stmt = db.prepare(sql);
    try {
      const names = outputColumnNames(stmt.getColumnNames());
      for (let skipped = 0; skipped < offset && stmt.step(); skipped++);
      const items: Record<string, unknown>[] = [];
      while (items.length < limit && stmt.step()) items.push(toItem(names, stmt.get()));
      return { items, totalResults: total, hasMore: offset + items.length < total };
    } finally {
      stmt.free();
    }
  } catch (error) {
    if (error instanceof SuiteqlError) throw error;
    throw new SuiteqlError(
      'INVALID_PARAMETER',
      `Invalid search query. Detailed unprocessed description follows. ${(error as Error).message}`,
    );
  }
}

/** Drops a final top-level ORDER BY (outside parentheses and literals); other queries are returned unchanged. */
export function withoutTrailingOrderBy(sql: string): string {
  let depth = 0;
  let orderByAt = -1;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^order\s+by\b/i.test(sql.slice(i, i + 12)) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? ' ')) {
      orderByAt = i;
    }
  }
  if (orderByAt < 0) return sql;
  const tail = sql.slice(orderByAt);
  // A compound query's ORDER BY, or one followed by LIMIT/OFFSET/FETCH, stays: removing it could change the rows.
  if (/\b(limit|offset|fetch)\b/i.test(tail) || /\b(union|intersect|except)\b/i.test(sql)) return sql;
  return sql.slice(0, orderByAt);
}

/** SuiteQL returns lower-case column names; unnamed expressions become expr1, expr2, … */
function outputColumnNames(names: string[]): string[] {
  let expr = 0;
  return names.map((name) => {
    const bare = name.includes('.') ? (name.split('.').pop() ?? name) : name;
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(bare) ? bare.toLowerCase() : `expr${++expr}`;
  });
}

/**
 * Null columns are omitted and raw dates take the user's date format, as SuiteQL does. Values are sent as strings
 * (INFERRED from community examples; strict on purpose, so clients must not rely on JSON numbers).
 */
function toItem(names: string[], values: SqlValue[]): Record<string, unknown> {
  const item: Record<string, unknown> = { links: [] };
  names.forEach((name, index) => {
    const value = values[index];
    if (value === null || value === undefined) return;
    item[name] = isStoredDate(value) ? formatUserDate(value) : value instanceof Uint8Array ? '' : String(value);
  });
  return item;
}

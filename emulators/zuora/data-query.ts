// Data Query for the one table the upgrade needs: `select <cols | count(*)> from creditmemo [where …] [group by …]`,
// with SQL's semantics (Data Query is SQL, docs/zuora.md §2): three-valued logic for null. Anything else is rejected
// with a clear message rather than answered wrongly.
import { randomBytes } from 'node:crypto';
import type { CreditMemoRecord, FieldValue } from './state';

export class DataQuerySyntaxError extends Error {}

type Column = { type: 'string' | 'number' | 'boolean'; read: (m: CreditMemoRecord) => FieldValue };

/** creditmemo columns (Data Query names are lower case); connector fields come from the memo's custom fields. */
export const CREDIT_MEMO_COLUMNS: Record<string, Column> = {
  id: { type: 'string', read: (m) => m.id },
  memonumber: { type: 'string', read: (m) => m.number },
  accountid: { type: 'string', read: (m) => m.accountId },
  amount: { type: 'number', read: (m) => m.amount },
  balance: { type: 'number', read: (m) => m.balance },
  status: { type: 'string', read: (m) => m.status },
  reasoncode: { type: 'string', read: (m) => m.reasonCode },
  transferredtoaccounting: { type: 'string', read: (m) => m.transferredToAccounting },
  excludefromautoapplyrules: { type: 'boolean', read: (m) => m.excludeFromAutoApplyRules },
  memodate: { type: 'string', read: (m) => m.memoDate },
  comments: { type: 'string', read: (m) => m.comment },
  createddate: { type: 'string', read: (m) => m.createdDate },
  updateddate: { type: 'string', read: (m) => m.updatedDate },
  integrationid__ns: { type: 'string', read: (m) => m.custom.IntegrationId__NS },
  integrationstatus__ns: { type: 'string', read: (m) => m.custom.IntegrationStatus__NS },
  origin__ns: { type: 'string', read: (m) => m.custom.Origin__NS },
  syncdate__ns: { type: 'string', read: (m) => m.custom.SyncDate__NS },
  transaction__ns: { type: 'string', read: (m) => m.custom.Transaction__NS },
};

/** A value of an expression; null is SQL's NULL. */
type Value = string | number | boolean | null;
/** A predicate's truth value in SQL's three-valued logic: null is UNKNOWN. */
type Truth = boolean | null;

export type DataQueryExpr =
  | { kind: 'column'; name: string }
  | { kind: 'literal'; value: Value }
  | { kind: 'coalesce'; args: DataQueryExpr[] }
  | { kind: 'compare'; op: '=' | '<>' | '<' | '>' | '<=' | '>='; left: DataQueryExpr; right: DataQueryExpr }
  | { kind: 'is-null'; negated: boolean; operand: DataQueryExpr }
  | { kind: 'not'; operand: DataQueryExpr }
  | { kind: 'and' | 'or'; left: DataQueryExpr; right: DataQueryExpr };

/** A select-list item: a column, or `count(*)`; `name` is the output column (alias, column name, or `_colN`). */
export type DataQueryItem = { kind: 'column'; column: string; name: string } | { kind: 'count'; name: string };

export interface DataQuerySelect {
  table: 'creditmemo';
  items: DataQueryItem[];
  where: DataQueryExpr | undefined;
  /** Columns of `group by`; with a `count(*)` and no `group by` the whole table is one group. */
  groupBy: string[];
  aggregate: boolean;
}

type Token =
  | { kind: 'word'; text: string; lower: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: string };

const RESERVED = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'is', 'null', 'as', 'group', 'by']);

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s+|'((?:[^']|'')*)'|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<>|!=|<=|>=|=|<|>)|([(),*;])/y;
  let i = 0;
  while (i < sql.length) {
    re.lastIndex = i;
    const m = re.exec(sql);
    if (!m) {
      throw new DataQuerySyntaxError(
        sql[i] === "'" ? 'Unterminated string literal' : `Unexpected character '${sql[i]}' at ${i}`,
      );
    }
    i = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'string', value: m[1].replace(/''/g, "'") });
    else if (m[2] !== undefined) tokens.push({ kind: 'number', value: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ kind: 'word', text: m[3], lower: m[3].toLowerCase() });
    else if (m[4] !== undefined) tokens.push({ kind: 'op', text: m[4] === '!=' ? '<>' : m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: 'punct', text: m[5] });
  }
  return tokens;
}

/**
 * `select <column | count(*)> [as alias], … from creditmemo [where <predicate>] [group by <column>, …]`.
 * Predicates follow SQL: comparisons (=, <>, !=, <, >, <=, >=), `is [not] null`, `not`, `and`, `or` with
 * parentheses; NOT binds tighter than AND, AND tighter than OR; `coalesce(a, b, …)` as an operand.
 */
export function parseDataQuery(sql: string): DataQuerySelect {
  const tokens = tokenize(sql);
  while (tokens.at(-1)?.kind === 'punct' && (tokens.at(-1) as { text: string }).text === ';') tokens.pop();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (w: string, t = peek()) => t?.kind === 'word' && t.lower === w;
  const isPunct = (p: string, t = peek()) => t?.kind === 'punct' && t.text === p;
  const near = () =>
    pos < tokens.length ? ` near token ${pos + 1} of '${sql.trim().slice(0, 80)}'` : ' at the end of the query';
  const expectWord = (w: string) => {
    if (!isWord(w)) throw new DataQuerySyntaxError(`Expected '${w}'${near()}`);
    pos++;
  };
  const expectPunct = (p: string) => {
    if (!isPunct(p)) throw new DataQuerySyntaxError(`Expected '${p}'${near()}`);
    pos++;
  };
  const columnName = (t: Token | undefined): string => {
    if (t?.kind !== 'word' || RESERVED.has(t.lower)) throw new DataQuerySyntaxError(`Expected a column${near()}`);
    if (!CREDIT_MEMO_COLUMNS[t.lower]) throw new DataQuerySyntaxError(`Column '${t.text}' cannot be resolved`);
    pos++;
    return t.lower;
  };

  expectWord('select');
  const items: DataQueryItem[] = [];
  let star = false;
  for (;;) {
    let item: DataQueryItem;
    if (isPunct('*')) {
      pos++;
      star = true;
      item = { kind: 'column', column: '', name: '' };
    } else if (isWord('count') && isPunct('(', tokens[pos + 1])) {
      pos += 2;
      expectPunct('*');
      expectPunct(')');
      item = { kind: 'count', name: `_col${items.length}` }; // Trino's name for an unnamed expression (inferred)
    } else {
      const column = columnName(peek());
      item = { kind: 'column', column, name: column };
    }
    if (isWord('as')) {
      pos++;
      const alias = peek();
      if (alias?.kind !== 'word' || RESERVED.has(alias.lower))
        throw new DataQuerySyntaxError(`Expected an alias${near()}`);
      pos++;
      item.name = alias.lower;
    }
    items.push(item);
    if (!isPunct(',')) break;
    pos++;
  }
  expectWord('from');
  const table = peek();
  if (table?.kind !== 'word') throw new DataQuerySyntaxError(`Expected a table${near()}`);
  if (table.lower !== 'creditmemo') {
    throw new DataQuerySyntaxError(`Table '${table.text}' is not available in this emulator (only creditmemo)`);
  }
  pos++;

  const operand = (): DataQueryExpr => {
    const t = peek();
    if (t?.kind === 'string' || t?.kind === 'number') {
      pos++;
      return { kind: 'literal', value: t.value };
    }
    if (isWord('null')) {
      pos++;
      return { kind: 'literal', value: null };
    }
    if (isWord('true') || isWord('false')) {
      pos++;
      return { kind: 'literal', value: (t as { lower: string }).lower === 'true' };
    }
    if (isWord('coalesce') && isPunct('(', tokens[pos + 1])) {
      pos += 2;
      const args = [operand()];
      while (isPunct(',')) {
        pos++;
        args.push(operand());
      }
      expectPunct(')');
      return { kind: 'coalesce', args };
    }
    return { kind: 'column', name: columnName(t) };
  };
  const predicate = (): DataQueryExpr => {
    if (isPunct('(')) {
      pos++;
      const inner = or();
      expectPunct(')');
      return inner;
    }
    const left = operand();
    if (isWord('is')) {
      pos++;
      const negated = isWord('not');
      if (negated) pos++;
      expectWord('null');
      return { kind: 'is-null', negated, operand: left };
    }
    const op = peek();
    if (op?.kind !== 'op') throw new DataQuerySyntaxError(`Expected a comparison operator${near()}`);
    pos++;
    return { kind: 'compare', op: op.text as '=', left, right: operand() };
  };
  const not = (): DataQueryExpr => {
    if (!isWord('not')) return predicate();
    pos++;
    return { kind: 'not', operand: not() };
  };
  const and = (): DataQueryExpr => {
    let left = not();
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };
  function or(): DataQueryExpr {
    let left = and();
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }

  let where: DataQueryExpr | undefined;
  if (isWord('where')) {
    pos++;
    where = or();
  }
  const groupBy: string[] = [];
  if (isWord('group')) {
    pos++;
    expectWord('by');
    groupBy.push(columnName(peek()));
    while (isPunct(',')) {
      pos++;
      groupBy.push(columnName(peek()));
    }
  }
  if (pos < tokens.length) throw new DataQuerySyntaxError(`Unexpected text${near()}`);

  const expanded = star
    ? items.flatMap((i) =>
        i.kind === 'column' && i.column === ''
          ? Object.keys(CREDIT_MEMO_COLUMNS).map((c): DataQueryItem => ({ kind: 'column', column: c, name: c }))
          : [i],
      )
    : items;
  const aggregate = groupBy.length > 0 || expanded.some((i) => i.kind === 'count');
  if (aggregate) {
    for (const i of expanded) {
      if (i.kind === 'column' && !groupBy.includes(i.column)) {
        throw new DataQuerySyntaxError(`'${i.column}' must be an aggregate expression or appear in GROUP BY clause`);
      }
    }
  }
  return { table: 'creditmemo', items: expanded, where, groupBy, aggregate };
}

function valueOf(e: DataQueryExpr, memo: CreditMemoRecord): Value {
  switch (e.kind) {
    case 'column':
      return (CREDIT_MEMO_COLUMNS[e.name] as Column).read(memo) ?? null;
    case 'literal':
      return e.value;
    case 'coalesce':
      for (const a of e.args) {
        const v = valueOf(a, memo);
        if (v !== null) return v;
      }
      return null;
    default:
      return truthOf(e, memo);
  }
}

/** SQL's three-valued logic: a comparison with null is UNKNOWN (null); NOT UNKNOWN is UNKNOWN; FALSE AND x is
 * FALSE; TRUE OR x is TRUE; otherwise UNKNOWN wins over TRUE in AND and over FALSE in OR. */
export function truthOf(e: DataQueryExpr, memo: CreditMemoRecord): Truth {
  switch (e.kind) {
    case 'compare': {
      const l = valueOf(e.left, memo);
      const r = valueOf(e.right, memo);
      if (l === null || r === null) return null;
      const [a, b] = typeof l === 'number' || typeof r === 'number' ? [Number(l), Number(r)] : [l, r];
      switch (e.op) {
        case '=':
          return a === b;
        case '<>':
          return a !== b;
        case '<':
          return a < b;
        case '>':
          return a > b;
        case '<=':
          return a <= b;
        case '>=':
          return a >= b;
      }
      break;
    }
    case 'is-null':
      return (valueOf(e.operand, memo) === null) !== e.negated;
    case 'not': {
      const v = truthOf(e.operand, memo);
      return v === null ? null : !v;
    }
    case 'and': {
      const l = truthOf(e.left, memo);
      if (l === false) return false;
      const r = truthOf(e.right, memo);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = truthOf(e.left, memo);
      if (l === true) return true;
      const r = truthOf(e.right, memo);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    default: {
      const v = valueOf(e, memo);
      if (v === null || typeof v === 'boolean') return v;
      throw new DataQuerySyntaxError('A where clause must be a predicate, not a value');
    }
  }
  return null;
}

/**
 * The result rows of a query over the memos, in the table's order; at most `maxRows` (Zuora's output cap).
 * WHERE keeps a row only when its predicate is TRUE (not FALSE, not UNKNOWN). Grouping puts all nulls in one group.
 */
export function runDataQuery(
  q: DataQuerySelect,
  memos: Iterable<CreditMemoRecord>,
  maxRows: number,
): Array<Record<string, FieldValue>> {
  const rows: Array<Record<string, FieldValue>> = [];
  const groups = new Map<string, { row: Record<string, FieldValue>; count: number }>();
  for (const memo of memos) {
    if (q.where && truthOf(q.where, memo) !== true) continue;
    if (!q.aggregate) {
      if (rows.length >= maxRows) break;
      const row: Record<string, FieldValue> = {};
      for (const i of q.items) if (i.kind === 'column') row[i.name] = valueOf({ kind: 'column', name: i.column }, memo);
      rows.push(row);
      continue;
    }
    const key = JSON.stringify(q.groupBy.map((c) => valueOf({ kind: 'column', name: c }, memo)));
    let group = groups.get(key);
    if (!group) {
      const row: Record<string, FieldValue> = {};
      for (const i of q.items) if (i.kind === 'column') row[i.name] = valueOf({ kind: 'column', name: i.column }, memo);
      group = { row, count: 0 };
      groups.set(key, group);
    }
    group.count++;
  }
  if (!q.aggregate) return rows;
  if (groups.size === 0 && q.groupBy.length === 0) groups.set('[]', { row: {}, count: 0 }); // count over no rows
  for (const { row, count } of groups.values()) {
    if (rows.length >= maxRows) break;
    const out: Record<string, FieldValue> = {};
    for (const i of q.items) out[i.name] = i.kind === 'count' ? count : row[i.name];
    rows.push(out);
  }
  return rows;
}

export interface DataQueryJobRecord {
  id: string;
  query: string;
  select: DataQuerySelect;
  outputFormat: string;
  compression: string;
  submittedAt: number;
  /** Set when the job completes: the rows as of that moment (the result is a snapshot). */
  rows?: Array<Record<string, FieldValue>>;
  outputRows?: number;
  completedAt?: number;
  /** Secret part of the "pre-signed" download URL. */
  signature: string;
}

export function newJob(
  query: string,
  select: DataQuerySelect,
  outputFormat: string,
  compression: string,
  now: number,
): DataQueryJobRecord {
  return {
    id: `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`,
    query,
    select,
    outputFormat,
    compression,
    submittedAt: now,
    signature: randomBytes(16).toString('hex'),
  };
}

/** Result file as JSON Lines, produced in chunks so large results stream with back-pressure. */
export async function* jsonLines(
  rows: ReadonlyArray<Record<string, FieldValue>>,
  rowsPerChunk = 500,
): AsyncGenerator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    let chunk = '';
    const end = Math.min(rows.length, i + rowsPerChunk);
    for (let r = i; r < end; r++) chunk += JSON.stringify(rows[r]) + '\n';
    yield chunk;
  }
}

// A strict ZOQL subset: `select F, … from Object [where cond {and|or} cond …]`, the way the action query
// documents it: lower-case keywords, no `*`, no `in`, no `order by`, no joins, at most 200 conditions.
import type { FieldValue, ZRecord, ZuoraObjectName } from './state';

export class ZoqlError extends Error {
  constructor(
    readonly code: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

const CONNECTOR_FIELDS = [
  'IntegrationId__NS',
  'IntegrationStatus__NS',
  'Origin__NS',
  'SyncDate__NS',
  'Transaction__NS',
];

/** Queryable fields per object, in canonical case (records answer with these names). */
export const ZOQL_FIELDS: Record<ZuoraObjectName, readonly string[]> = {
  Account: [
    'Id',
    'AccountNumber',
    'Name',
    'Currency',
    'Status',
    'Balance',
    'CreditBalance',
    'CreatedDate',
    'UpdatedDate',
    ...CONNECTOR_FIELDS,
  ],
  Invoice: [
    'Id',
    'InvoiceNumber',
    'AccountId',
    'InvoiceDate',
    'DueDate',
    'Amount',
    'Balance',
    'Status',
    'TransferredToAccounting',
    'CreatedDate',
    'UpdatedDate',
    ...CONNECTOR_FIELDS,
  ],
  InvoiceItemAdjustment: [
    'Id',
    'AdjustmentNumber',
    'InvoiceId',
    'InvoiceNumber',
    'AccountId',
    'Amount',
    'Type',
    'AdjustmentDate',
    'Status',
    'SourceType',
    'SourceId',
    'ReasonCode',
    'ReferenceId',
    'Comment',
    'CreatedDate',
    ...CONNECTOR_FIELDS,
  ],
  InvoiceAdjustment: [
    'Id',
    'AdjustmentNumber',
    'InvoiceId',
    'InvoiceNumber',
    'AccountId',
    'Amount',
    'Type',
    'AdjustmentDate',
    'ReasonCode',
    'ReferenceId',
    'Comments',
    'AccountingCode',
    'Status',
    'TransferredToAccounting',
    'CreatedDate',
    ...CONNECTOR_FIELDS,
  ],
  Payment: [
    'Id',
    'PaymentNumber',
    'AccountId',
    'Amount',
    'AppliedAmount',
    'UnappliedAmount',
    'Currency',
    'Type',
    'EffectiveDate',
    'Status',
    'ReferenceId',
    'Comment',
    'PaymentMethodType',
    'TransferredToAccounting',
    'CreatedDate',
    ...CONNECTOR_FIELDS,
  ],
  // The product catalogue's charges: the readiness preflight looks for the migration's one-time charge by Name.
  ProductRatePlanCharge: [
    'Id',
    'Name',
    'ProductRatePlanId',
    'ChargeModel',
    'ChargeType',
    'AccountingCode',
    'Taxable',
    'CreatedDate',
    'UpdatedDate',
  ],
};

const OBJECTS = new Map(Object.keys(ZOQL_FIELDS).map((name) => [name.toLowerCase(), name as ZuoraObjectName]));
/** Invoice Settlement objects the action query does not support (docs/zuora.md §2). */
const UNSUPPORTED_OBJECTS = new Set([
  'creditmemo',
  'debitmemo',
  'creditmemoitem',
  'debitmemoitem',
  'creditmemoapplication',
]);
const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'null', 'true', 'false']);
export const ZOQL_MAX_CONDITIONS = 200;

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: string };

type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';
type Condition = { field: string; op: Operator; value: string | number | boolean | null };
type Expr = { kind: 'cond'; cond: Condition } | { kind: 'and' | 'or'; items: Expr[] };

export interface ZoqlQuery {
  object: ZuoraObjectName;
  fields: string[];
  where: Expr | undefined;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ZoqlError('MALFORMED_QUERY', 'Unterminated string literal');
        const ch = text[i] as string;
        if (ch === '\\') {
          value += text[i + 1] ?? '';
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', value });
    } else if (/[-\d]/.test(c) && /^-?\d/.test(text.slice(i, i + 2))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else if (/[=<>!]/.test(c)) {
      const m = /^(!=|<=|>=|<>|=|<|>)/.exec(text.slice(i));
      if (!m) throw new ZoqlError('MALFORMED_QUERY', `Unexpected character '${c}'`);
      tokens.push({ kind: 'op', text: m[0] });
      i += m[0].length;
    } else if (c === ',' || c === '(' || c === ')' || c === '*') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      throw new ZoqlError('MALFORMED_QUERY', `Unexpected character '${c}'`);
    }
  }
  return tokens;
}

export function parseZoql(text: string): ZoqlQuery {
  const tokens = tokenize(text);
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    const lower = t.text.toLowerCase();
    if (KEYWORDS.has(lower) && t.text !== lower) {
      throw new ZoqlError('MALFORMED_QUERY', `ZOQL keywords must be lower case: '${t.text}'`);
    }
    if (lower === 'in')
      throw new ZoqlError('MALFORMED_QUERY', "ZOQL does not support 'in'; use conditions joined by 'or'");
    if (lower === 'order' || lower === 'group' || lower === 'limit' || lower === 'like' || lower === 'join') {
      throw new ZoqlError('MALFORMED_QUERY', `ZOQL does not support '${t.text}'`);
    }
    if (t.text.includes('.'))
      throw new ZoqlError('MALFORMED_QUERY', `ZOQL action query does not support joins: '${t.text}'`);
  }
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw new ZoqlError('MALFORMED_QUERY', 'Unexpected end of query');
    return t;
  };
  const expectWord = (word: string): void => {
    const t = next();
    if (t.kind !== 'word' || t.text !== word) throw new ZoqlError('MALFORMED_QUERY', `Expected '${word}'`);
  };

  expectWord('select');
  const rawFields: string[] = [];
  for (;;) {
    const t = next();
    if (t.kind === 'punct' && t.text === '*')
      throw new ZoqlError('MALFORMED_QUERY', "ZOQL does not support 'select *'");
    if (t.kind !== 'word' || KEYWORDS.has(t.text)) throw new ZoqlError('MALFORMED_QUERY', 'Expected a field name');
    rawFields.push(t.text);
    const sep = peek();
    if (sep?.kind === 'punct' && sep.text === ',') {
      pos++;
      continue;
    }
    break;
  }
  expectWord('from');
  const objectToken = next();
  if (objectToken.kind !== 'word') throw new ZoqlError('MALFORMED_QUERY', 'Expected an object name');
  const objectKey = objectToken.text.toLowerCase();
  if (UNSUPPORTED_OBJECTS.has(objectKey)) {
    throw new ZoqlError(
      'INVALID_TYPE',
      `The action query does not support Invoice Settlement object '${objectToken.text}'; use Data Query or Object Query`,
    );
  }
  const object = OBJECTS.get(objectKey);
  if (!object) throw new ZoqlError('INVALID_TYPE', `Unknown or unsupported object '${objectToken.text}'`);
  const resolve = (name: string): string => resolveField(object, name);
  const fields = rawFields.map(resolve);

  let where: Expr | undefined;
  let conditions = 0;
  if (peek()) {
    expectWord('where');
    const parseOr = (): Expr => {
      const items = [parseAnd()];
      while (peek()?.kind === 'word' && (peek() as { text: string }).text === 'or') {
        pos++;
        items.push(parseAnd());
      }
      return items.length === 1 ? (items[0] as Expr) : { kind: 'or', items };
    };
    const parseAnd = (): Expr => {
      const items = [parseFactor()];
      while (peek()?.kind === 'word' && (peek() as { text: string }).text === 'and') {
        pos++;
        items.push(parseFactor());
      }
      return items.length === 1 ? (items[0] as Expr) : { kind: 'and', items };
    };
    const parseFactor = (): Expr => {
      const t = next();
      if (t.kind === 'punct' && t.text === '(') {
        const inner = parseOr();
        const close = next();
        if (close.kind !== 'punct' || close.text !== ')') throw new ZoqlError('MALFORMED_QUERY', "Expected ')'");
        return inner;
      }
      if (t.kind !== 'word' || KEYWORDS.has(t.text))
        throw new ZoqlError('MALFORMED_QUERY', 'Expected a field name in where');
      const op = next();
      if (op.kind !== 'op') throw new ZoqlError('MALFORMED_QUERY', `Expected an operator after '${t.text}'`);
      const operator = (op.text === '<>' ? '!=' : op.text) as Operator;
      const v = next();
      let value: Condition['value'];
      if (v.kind === 'string' || v.kind === 'number') value = v.value;
      else if (v.kind === 'word' && v.text === 'null') value = null;
      else if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) value = v.text === 'true';
      else throw new ZoqlError('MALFORMED_QUERY', `Expected a value after '${t.text} ${op.text}'`);
      if (value === null && operator !== '=' && operator !== '!=') {
        throw new ZoqlError('MALFORMED_QUERY', 'null can only be compared with = or !=');
      }
      conditions++;
      if (conditions > ZOQL_MAX_CONDITIONS) {
        throw new ZoqlError('MALFORMED_QUERY', `A ZOQL query may have at most ${ZOQL_MAX_CONDITIONS} conditions`);
      }
      return { kind: 'cond', cond: { field: resolve(t.text), op: operator, value } };
    };
    where = parseOr();
    if (peek()) throw new ZoqlError('MALFORMED_QUERY', 'Unexpected text after the where clause');
  }
  return { object, fields, where };
}

function resolveField(object: ZuoraObjectName, name: string): string {
  const lower = name.toLowerCase();
  const known = ZOQL_FIELDS[object].find((f) => f.toLowerCase() === lower);
  if (known) return known;
  if (/__c$/i.test(name)) return name; // custom fields exist per tenant
  throw new ZoqlError('INVALID_FIELD', `invalid field for query: ${object}.${name}`);
}

export function matches(record: ZRecord, expr: Expr | undefined): boolean {
  if (!expr) return true;
  switch (expr.kind) {
    case 'and':
      return expr.items.every((e) => matches(record, e));
    case 'or':
      return expr.items.some((e) => matches(record, e));
    case 'cond':
      return compare(record[expr.cond.field], expr.cond.op, expr.cond.value);
  }
}

function compare(actual: FieldValue, op: Operator, expected: Condition['value']): boolean {
  const missing = actual === null || actual === undefined;
  if (expected === null) return op === '=' ? missing : !missing;
  if (missing) return false; // SQL-like: a null field matches no comparison with a value
  const a = typeof expected === 'number' ? Number(actual) : actual;
  switch (op) {
    case '=':
      return a === expected;
    case '!=':
      return a !== expected;
    case '<':
      return a < expected;
    case '>':
      return a > expected;
    case '<=':
      return a <= expected;
    case '>=':
      return a >= expected;
  }
}

/** A record as the action query returns it: only the selected fields, null fields left out. */
export function project(record: ZRecord, fields: readonly string[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of fields) {
    const v = record[f];
    if (v !== null && v !== undefined) out[f] = v;
  }
  return out;
}

// Data Query for the one table the upgrade needs: `select <cols> from creditmemo [where c op 'v' and …]`.
// Anything else is rejected with a clear message rather than answered wrongly.
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

export interface DataQuerySelect {
  table: 'creditmemo';
  columns: string[];
  conditions: Array<{ column: string; op: '=' | '<>'; value: string }>;
}

export function parseDataQuery(sql: string): DataQuerySelect {
  const m = /^\s*select\s+([\s\S]+?)\s+from\s+([A-Za-z_][\w.]*)(?:\s+where\s+([\s\S]+?))?\s*;?\s*$/i.exec(sql);
  if (!m)
    throw new DataQuerySyntaxError(
      "Emulator supports only: select <columns> from creditmemo [where <col> = 'v' and …]",
    );
  const [, columnText = '', table = '', whereText] = m;
  if (table.toLowerCase() !== 'creditmemo') {
    throw new DataQuerySyntaxError(`Table '${table}' is not available in this emulator (only creditmemo)`);
  }
  const columns =
    columnText.trim() === '*'
      ? Object.keys(CREDIT_MEMO_COLUMNS)
      : columnText.split(',').map((c) => {
          const name = c.trim().toLowerCase();
          if (!/^[a-z_][a-z0-9_]*$/.test(name))
            throw new DataQuerySyntaxError(`Unsupported select expression '${c.trim()}'`);
          if (!CREDIT_MEMO_COLUMNS[name]) throw new DataQuerySyntaxError(`Column '${c.trim()}' cannot be resolved`);
          return name;
        });
  const conditions: DataQuerySelect['conditions'] = [];
  if (whereText !== undefined) {
    // Conditions are `col op 'literal'` joined by `and`; literals may contain spaces and '' escapes.
    const condition = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|<>|!=)\s*'((?:[^']|'')*)'\s*/;
    let rest = whereText;
    for (;;) {
      const c = condition.exec(rest);
      if (!c)
        throw new DataQuerySyntaxError(
          `Unsupported where clause near '${rest.trim().slice(0, 40)}' (emulator: col = 'v' [and …])`,
        );
      const [whole, rawColumn = '', op = '', literal = ''] = c;
      const column = rawColumn.toLowerCase();
      const def = CREDIT_MEMO_COLUMNS[column];
      if (!def) throw new DataQuerySyntaxError(`Column '${rawColumn}' cannot be resolved`);
      if (def.type !== 'string')
        throw new DataQuerySyntaxError(`Emulator compares only string columns ('${rawColumn}')`);
      conditions.push({ column, op: op === '=' ? '=' : '<>', value: literal.replace(/''/g, "'") });
      rest = rest.slice(whole.length);
      if (rest.trim() === '') break;
      const and = /^and\s+/i.exec(rest);
      if (!and)
        throw new DataQuerySyntaxError(
          `Only 'and' may join conditions in this emulator, near '${rest.trim().slice(0, 40)}'`,
        );
      rest = rest.slice(and[0].length);
    }
  }
  return { table: 'creditmemo', columns, conditions };
}

/** SQL semantics: a null column satisfies neither `=` nor `<>`. */
export function selectRow(memo: CreditMemoRecord, q: DataQuerySelect): Record<string, FieldValue> | undefined {
  for (const c of q.conditions) {
    const v = (CREDIT_MEMO_COLUMNS[c.column] as Column).read(memo);
    if (v === null || v === undefined) return undefined;
    if (c.op === '=' ? v !== c.value : v === c.value) return undefined;
  }
  const row: Record<string, FieldValue> = {};
  for (const col of q.columns) row[col] = (CREDIT_MEMO_COLUMNS[col] as Column).read(memo) ?? null;
  return row;
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

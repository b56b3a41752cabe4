import type { SqlValue } from 'sql.js';
import type { NetSuiteAccount, TransactionType } from './account';
import { recordDate, recordDateTime } from './dates';

/** Record API types the emulator serves, and the SuiteQL transaction type behind each. */
export const RECORD_TYPES = {
  creditMemo: 'CustCred',
  invoice: 'CustInvc',
  customerPayment: 'CustPymt',
} as const satisfies Record<string, TransactionType>;
export type EmulatedRecordType = keyof typeof RECORD_TYPES;

const STATUS_NAMES: Record<string, string> = {
  'CustInvc:A': 'Open',
  'CustInvc:B': 'Paid In Full',
  'CustCred:A': 'Open',
  'CustCred:B': 'Fully Applied',
  'CustPymt:C': 'Deposited',
};

/** Standard body fields a PATCH may set besides the connector's custom fields (record key → column). */
const PATCHABLE_STANDARD: Record<string, string> = { memo: 'memo', externalId: 'externalid' };

type Row = Record<string, SqlValue>;

export function isRecordType(type: string): type is EmulatedRecordType {
  return Object.hasOwn(RECORD_TYPES, type);
}

/** Renders a record like `GET /record/v1/{type}/{id}`; sublists as links unless expanded. */
export function renderRecord(
  account: NetSuiteAccount,
  origin: string,
  type: EmulatedRecordType,
  row: Row,
  expandSubResources: boolean,
): Record<string, unknown> {
  const id = Number(row.id);
  const self = `${origin}/services/rest/record/v1/${type}/${id}`;
  const body: Record<string, unknown> = {
    links: [{ rel: 'self', href: self }],
    id: String(id),
    tranId: row.tranid ?? undefined,
    tranDate: recordDate(row.trandate as string | null),
    createdDate: recordDateTime(row.createddate as string | null),
    lastModifiedDate: recordDateTime(row.lastmodifieddate as string | null),
    memo: row.memo ?? undefined,
    externalId: row.externalid ?? undefined,
    status: row.status
      ? { id: String(row.status).split(':')[1], refName: STATUS_NAMES[String(row.status)] }
      : undefined,
    total: Number(row.foreigntotal ?? 0),
    currency: { id: String(row.currency ?? 1), refName: 'USA' },
  };
  const customer = customerRef(account, origin, Number(row.entity));
  for (const field of account.bodyFieldIds) {
    const value = row[field];
    if (value !== null && value !== undefined) body[field] = String(value);
  }
  if (type === 'creditMemo') {
    body.entity = customer;
    body.applied = Number(row.foreignpaymentamountused ?? 0);
    body.unapplied = Number(row.foreignpaymentamountunused ?? 0);
    body.amountRemaining = Number(row.foreignamountremaining ?? 0);
    body.apply = applySublist(account, origin, self, row, expandSubResources);
  } else if (type === 'invoice') {
    body.entity = customer;
    body.amountRemaining = Number(row.foreignamountremaining ?? 0);
    body.amountPaid = Number(row.foreignamountpaid ?? 0);
    body.item = { links: [{ rel: 'self', href: `${self}/item` }] };
  } else {
    body.customer = customer;
    body.payment = Number(row.foreigntotal ?? 0);
    body.applied = Number(row.foreignpaymentamountused ?? 0);
    body.unapplied = Number(row.foreignpaymentamountunused ?? 0);
    body.apply = applySublist(account, origin, self, row, expandSubResources);
    body.credit = emptySublist(`${self}/credit`, expandSubResources);
    body.deposit = emptySublist(`${self}/deposit`, expandSubResources);
  }
  return JSON.parse(JSON.stringify(body)) as Record<string, unknown>; // drops undefined keys, as NetSuite omits empty fields
}

function customerRef(account: NetSuiteAccount, origin: string, id: number): Record<string, unknown> {
  const customer = account.customer(id);
  return {
    links: [{ rel: 'self', href: `${origin}/services/rest/record/v1/customer/${id}` }],
    id: String(id),
    refName: customer ? String(customer.companyname ?? customer.entityid) : undefined,
  };
}

/**
 * The apply sublist lists the documents this transaction is applied to (apply = true) and, as on a real form, the
 * customer's other open invoices with apply = false — so a client must read the flag, not just the lines.
 */
function applySublist(account: NetSuiteAccount, origin: string, self: string, row: Row, expand: boolean) {
  const href = `${self}/apply`;
  if (!expand) return { links: [{ rel: 'self', href }] };
  const applied = account.applicationsOf(Number(row.id));
  const appliedIds = new Set(applied.map((a) => a.doc));
  const open = account.openInvoicesOf(Number(row.entity)).filter((inv) => !appliedIds.has(Number(inv.id)));
  const lines = [
    ...applied.map((a) => ({ invoice: account.transaction(a.doc), apply: true, amount: a.amount })),
    ...open.map((inv) => ({ invoice: inv as Row | undefined, apply: false, amount: 0 })),
  ];
  const items = lines.map((line, index) => {
    const invoice = line.invoice ?? {};
    return {
      links: [],
      apply: line.apply,
      doc: {
        links: [{ rel: 'self', href: `${origin}/services/rest/record/v1/invoice/${String(invoice.id)}` }],
        id: String(invoice.id),
      },
      amount: line.amount,
      line: index,
      total: Number(invoice.foreigntotal ?? 0),
      due: Number(invoice.foreignamountremaining ?? 0),
      type: 'Invoice',
      refNum: invoice.tranid === undefined || invoice.tranid === null ? undefined : String(invoice.tranid),
      applyDate: recordDate((invoice.trandate as string | null) ?? null),
    };
  });
  return {
    links: [{ rel: 'self', href }],
    items,
    count: items.length,
    hasMore: false,
    offset: 0,
    totalResults: items.length,
  };
}

function emptySublist(href: string, expand: boolean) {
  const links = [{ rel: 'self', href }];
  return expand ? { links, items: [], count: 0, hasMore: false, offset: 0, totalResults: 0 } : { links };
}

export type PatchValidation =
  { ok: true; columns: Record<string, string | null> } | { ok: false; field: string; detail: string };

/** Checks a PATCH body: only known, writable fields; custom fields take text or null. */
export function validatePatch(account: NetSuiteAccount, body: unknown): PatchValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, field: '', detail: 'The request body must be a JSON object.' };
  }
  const columns: Record<string, string | null> = {};
  const custom = new Set(account.bodyFieldIds);
  for (const [key, value] of Object.entries(body)) {
    const column = custom.has(key) ? key : PATCHABLE_STANDARD[key];
    if (!column) {
      return {
        ok: false,
        field: key,
        detail: `Invalid content in the request body: unknown or read-only field '${key}'.`,
      };
    }
    if (value !== null && typeof value !== 'string') {
      return { ok: false, field: key, detail: `Invalid value for field '${key}': expected a string or null.` };
    }
    columns[column] = value;
  }
  return { ok: true, columns };
}

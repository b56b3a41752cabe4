import type { NetSuiteClient } from './client';
import { NetSuiteResponseShapeError } from './errors';
import { connectorFields, type ConnectorFieldIds } from './fields';
import {
  applicationRowSchema,
  transactionHeaderRowSchema,
  type AppliedDocument,
  type ApplicationRow,
  type CreditMemoCandidate,
  type PaymentCandidate,
  type TransactionHeaderRow,
} from './schemas';

/**
 * SuiteQL the NetSuite→Zuora syncs need. The queries select candidates by last-modified watermark only and return
 * every custom field and application, so the sync itself applies (and reports) the documented eligibility rules.
 */

export interface CandidateQuery {
  /** Watermark, `YYYY-MM-DDTHH:MM:SS` in the account's time zone (as returned in `lastModified`); inclusive. */
  modifiedSince: string;
  /** Cutover: nothing dated before this (`YYYY-MM-DD`) is returned. */
  tranDateFrom?: string;
  fields?: ConnectorFieldIds;
  /** Candidates per page (≤ 1000, also the size of the IN list of the applications query). */
  pageSize?: number;
  /** Resume after this internal id (key-based cursor of an earlier, interrupted scan). Default 0. */
  startAfterId?: number;
  /**
   * Internal ids read whatever their lastmodifieddate (the previous run's undecided records, src/shared/sync.ts):
   * one `IN` list, so at most 1000 (Oracle's limit on a list, which SuiteQL runs on).
   */
  recheckIds?: readonly string[];
}

const WATERMARK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS'`;

/** Credit memos modified since the watermark, page by page, each with the invoices it is applied to. */
export async function* creditMemoCandidatePages(
  client: NetSuiteClient,
  query: CandidateQuery,
): AsyncGenerator<CreditMemoCandidate[], void, undefined> {
  const f = query.fields ?? connectorFields();
  for await (const page of headerPages(client, 'CustCred', f.customerIdSales, query)) {
    const applications = await applicationsOf(
      client,
      page.map((row) => row.id),
      f,
    );
    yield page.map((row) => {
      const applied = applications.get(row.id) ?? [];
      return {
        ...candidateBase(row, applied),
        zuoraCustomerIdSales: row.zuoracustomerid ?? null,
        // The credit memo's open (unapplied) amount is `foreignpaymentamountunused` (docs/netsuite-amounts.md). When
        // NetSuite leaves it out (SuiteQL omits nulls), the amount is unknown: null, never a guess.
        amountRemaining: row.foreignpaymentamountunused ?? null,
        applied: sum(applied),
      };
    });
  }
}

/** Customer payments modified since the watermark, page by page, each with the invoices/debit memos it pays. */
export async function* paymentCandidatePages(
  client: NetSuiteClient,
  query: CandidateQuery,
): AsyncGenerator<PaymentCandidate[], void, undefined> {
  const f = query.fields ?? connectorFields();
  for await (const page of headerPages(client, 'CustPymt', f.customerIdPayment, query)) {
    const applications = await applicationsOf(
      client,
      page.map((row) => row.id),
      f,
    );
    yield page.map((row) => {
      const applied = applications.get(row.id) ?? [];
      const appliedTotal = sum(applied);
      return {
        ...candidateBase(row, applied),
        zuoraCustomerIdPayment: row.zuoracustomerid ?? null,
        syncUpdates: row.syncupdates ?? null,
        applied: appliedTotal,
        unapplied: row.foreignpaymentamountunused ?? round2(row.foreigntotal - appliedTotal),
      };
    });
  }
}

/** All pages at once: for tests and small accounts. */
export async function collect<T>(pages: AsyncGenerator<T[], void, undefined>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

function candidateBase(row: TransactionHeaderRow, applications: AppliedDocument[]) {
  return {
    id: row.id,
    tranId: row.tranid ?? null,
    tranDate: row.trandate ?? null,
    lastModified: row.lastmodified,
    customerId: row.entity,
    memo: row.memo ?? null,
    total: row.foreigntotal,
    zuoraId: row.zuoraid ?? null,
    integrationStatus: row.integrationstatus ?? null,
    zuoraType: row.zuoratype ?? null,
    origin: row.origin ?? null,
    applications,
  };
}

/** Header rows, key-paged (`id > lastId ORDER BY id`) so the 100,000-result cap never truncates a run. */
async function* headerPages(
  client: NetSuiteClient,
  type: 'CustCred' | 'CustPymt',
  customerIdField: string,
  query: CandidateQuery,
): AsyncGenerator<TransactionHeaderRow[], void, undefined> {
  if (!WATERMARK.test(query.modifiedSince)) {
    throw new RangeError(`modifiedSince must be YYYY-MM-DDTHH:MM:SS, got ${query.modifiedSince}`);
  }
  if (query.tranDateFrom !== undefined && !DAY.test(query.tranDateFrom)) {
    throw new RangeError(`tranDateFrom must be YYYY-MM-DD, got ${query.tranDateFrom}`);
  }
  const f = query.fields ?? connectorFields();
  const pageSize = query.pageSize ?? 1000;
  const cutover = query.tranDateFrom ? `AND t.trandate >= TO_DATE('${query.tranDateFrom}', 'YYYY-MM-DD')` : '';
  const recheck = query.recheckIds ?? [];
  if (recheck.length > 1000) throw new RangeError(`recheckIds: at most 1000, got ${recheck.length}`);
  if (recheck.some((id) => !/^\d+$/.test(id))) throw new RangeError('recheckIds must be internal ids (digits)');
  const modified = `t.lastmodifieddate >= TO_TIMESTAMP('${query.modifiedSince}', ${TIMESTAMP_FORMAT})`;
  const changedOrRecheck = recheck.length > 0 ? `(${modified} OR t.id IN (${recheck.join(', ')}))` : modified;
  const sql = (lastId: number) => `
    SELECT t.id, t.tranid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate,
      TO_CHAR(t.lastmodifieddate, ${TIMESTAMP_FORMAT}) AS lastmodified, t.memo, t.entity, t.foreigntotal,
      t.foreignpaymentamountused, t.foreignpaymentamountunused,
      t.${f.zuoraId} AS zuoraid, t.${f.integrationStatus} AS integrationstatus, t.${f.zuoraType} AS zuoratype,
      t.${f.origin} AS origin, t.${customerIdField} AS zuoracustomerid, t.${f.syncUpdates} AS syncupdates
    FROM transaction t
    WHERE t.type = '${type}'
      AND ${changedOrRecheck} ${cutover}
      AND t.id > ${lastId}
    ORDER BY t.id`;
  let page: TransactionHeaderRow[] = [];
  const startAfter = query.startAfterId ?? 0;
  for await (const row of client.suiteqlAll(sql, { rowSchema: transactionHeaderRowSchema, pageSize, startAfter })) {
    page.push(row);
    if (page.length === pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Applications of the given credit memos / payments to invoices. Which side of NextTransactionLineLink a credit
 * memo is on is undocumented, so both directions are read; an application that shows up both ways (mirrored rows)
 * is counted once per (source, invoice).
 */
async function applicationsOf(
  client: NetSuiteClient,
  ids: string[],
  f: ConnectorFieldIds,
): Promise<Map<string, AppliedDocument[]>> {
  const byId = new Map<string, AppliedDocument[]>();
  if (ids.length === 0) return byId;
  const inList = ids.map((id) => Number(id)).join(', ');
  const docColumns = `d.id AS docid, d.type AS doctype, d.tranid AS doctranid,
      d.${f.zuoraId} AS doczuoraid, d.${f.zuoraType} AS doczuoratype, d.foreigntotal AS doctotal,
      l.foreignamount AS amount`;
  const q = `
    SELECT l.nextdoc AS sourceid, ${docColumns}
    FROM NextTransactionLineLink l JOIN transaction d ON d.id = l.previousdoc
    WHERE l.linktype = 'Payment' AND d.type = 'CustInvc' AND l.nextdoc IN (${inList})
    UNION ALL
    SELECT l.previousdoc AS sourceid, ${docColumns}
    FROM NextTransactionLineLink l JOIN transaction d ON d.id = l.nextdoc
    WHERE l.linktype = 'Payment' AND d.type = 'CustInvc' AND l.previousdoc IN (${inList})
    ORDER BY sourceid, docid`;
  const seen = new Set<string>();
  // Offset paging is safe here: at most a few applications per document, far below the 100,000 cap.
  for (let offset = 0; ; offset += 1000) {
    const page = await client.suiteql(q, { limit: 1000, offset });
    for (const item of page.items) {
      const row: ApplicationRow = parseApplication(item);
      const key = `${row.sourceid}:${row.docid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byId.get(row.sourceid) ?? [];
      list.push({
        id: row.docid,
        type: row.doctype,
        tranId: row.doctranid ?? null,
        zuoraId: row.doczuoraid ?? null,
        zuoraType: row.doczuoratype ?? null,
        total: row.doctotal ?? null,
        amount: Math.abs(row.amount), // INFERRED: link amounts may be signed; the application amount is not
      });
      byId.set(row.sourceid, list);
    }
    if (!page.hasMore) return byId;
  }
}

function parseApplication(item: Record<string, unknown>): ApplicationRow {
  const parsed = applicationRowSchema.safeParse(item);
  if (!parsed.success) throw new NetSuiteResponseShapeError('suiteql application row', parsed.error.issues, item);
  return parsed.data;
}

function sum(applications: AppliedDocument[]): number {
  return round2(applications.reduce((total, a) => total + a.amount, 0));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

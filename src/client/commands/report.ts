// `is-upgrade report`: the per-record reports of an upgrade — migration failures, sync failures, credit memos to
// reconcile by hand, and the whole audit log (the status keeps only its newest entries) — as CSV or JSON. The files are written by the worker under its DATA_DIR/reports; their paths
// come from the workflow results and status. Run the CLI where it can read them (on the worker's machine or a host
// that mounts the same volume); a file it cannot read is named on stderr (exit 3) so it can be fetched from there.
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import type { MigrateCreditMemosResult } from '../../shared/migration';
import { IS_TENANT_ID } from '../../shared/search-attributes';
import { readReportFile, type ReportRead } from '../../reports/read-report';
import { SYNC_WORKFLOW_TYPES, type SyncResult } from '../../shared/sync';
import { upgradeWorkflowId } from '../../shared/upgrade';
import { CliError, EXIT } from '../cli/exit-codes';
import { contextOf, intParser, tenantOption } from '../cli/options';
import { describeLedgerFile, findLedgerFiles } from './ledger-files';
import { readStatus } from './status';

export type ReportKind = 'migration-failures' | 'sync-failures' | 'reconciliation' | 'audit-log';
/** `tail`: the audit log's newest entries from the status, not yet in its file (exported in batches). */
export type ReportSource = { kind: ReportKind; workflowId: string; path: string; tail?: Record<string, unknown>[] };
export type ReportFile = ReportSource & {
  readable: boolean;
  /** Why it was not read (the path is outside the report store, the file is missing or not JSON Lines). */
  problem?: Exclude<ReportRead, { ok: true }>['reason'];
  rows: Record<string, unknown>[];
};

/** Every report file the tenant's upgrade and sync runs name in their results and status. */
export async function findReports(client: Client, tenantId: string, runs: number): Promise<ReportSource[]> {
  const sources: ReportSource[] = [];
  const add = (kind: ReportKind, workflowId: string, path: unknown) => {
    if (typeof path === 'string' && path.length > 0 && !sources.some((s) => s.path === path)) {
      sources.push({ kind, workflowId, path });
    }
  };
  const upgradeId = upgradeWorkflowId(tenantId);
  const { status } = await readStatus(client, tenantId);
  add('migration-failures', `${upgradeId}-credit-memos`, status.migration.result?.failuresReport);
  // The migration child's own result (also while the upgrade still runs, once the child has finished).
  try {
    const child = client.workflow.getHandle(`${upgradeId}-credit-memos`);
    if ((await child.describe()).status.name === 'COMPLETED') {
      const r = (await child.result()) as MigrateCreditMemosResult;
      add('migration-failures', `${upgradeId}-credit-memos`, r.reports.failures);
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  for (const [name, sync] of Object.entries(status.syncs)) {
    const reports = (sync as { reports?: SyncResult['reports'] } | undefined)?.reports;
    const id = `${upgradeId} (${name})`;
    add('sync-failures', id, reports?.failures);
    add('reconciliation', id, reports?.reconciliation);
  }
  // The scheduled sync runs of the tenant (newest first).
  const types = Object.values(SYNC_WORKFLOW_TYPES)
    .map((t) => `'${t}'`)
    .join(', ');
  const query = `${IS_TENANT_ID.name} = '${tenantId}' AND WorkflowType IN (${types}) AND ExecutionStatus = 'Completed'`;
  let seen = 0;
  for await (const w of client.workflow.list({ query })) {
    if (seen++ >= runs) break;
    const r = (await client.workflow.getHandle(w.workflowId, w.runId).result()) as SyncResult;
    add('sync-failures', w.workflowId, r.reports?.failures);
    add('reconciliation', w.workflowId, r.reports?.reconciliation);
  }
  // The whole audit log (last: the CSV's columns start with the records to act on): its file in the report store,
  // and the newest entries only the status has so far.
  if (status.auditLog) {
    const tail = status.audit.filter((e) => (e.seq ?? 0) > status.auditLog!.exported);
    sources.push({ kind: 'audit-log', workflowId: upgradeId, path: status.auditLog.report ?? '', tail });
  }
  return sources;
}

/** Reads a report only inside the report store (`storeRoot`): paths come from workflow results, which are data. */
export function readReport(source: ReportSource, storeRoot: string): ReportFile {
  const { tail, ...file } = source;
  // An audit log nothing of which is exported yet is all in the status.
  if (source.kind === 'audit-log' && source.path === '') return { ...file, readable: true, rows: tail ?? [] };
  const read = readReportFile(storeRoot, source.path);
  if (!read.ok) return { ...file, readable: false, problem: read.reason, rows: [] };
  const last = Math.max(0, ...read.rows.map((r) => (typeof r.seq === 'number' ? r.seq : 0)));
  const newer = (tail ?? []).filter((r) => (r.seq as number) > last);
  return { ...file, readable: true, rows: [...read.rows, ...newer] };
}

/** The store the worker writes to: DATA_DIR/reports (src/wiring.ts), or --reports-dir. */
export const defaultReportsDir = (env: NodeJS.ProcessEnv = process.env) => join(env.DATA_DIR || '.data', 'reports');

/** A path from a workflow result, printable on a terminal (control characters shown as "?"). */
const printable = (s: string) =>
  [...s].map((c) => (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) < 0xa0) ? '?' : c)).join('');

function csvCell(v: unknown): string {
  const text = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV: report, workflowId, then the union of the rows' fields in first-seen order. */
export function toCsv(files: ReportFile[]): string {
  const fields: string[] = [];
  for (const f of files)
    for (const r of f.rows) for (const k of Object.keys(r)) if (!fields.includes(k)) fields.push(k);
  const header = ['report', 'workflowId', ...fields];
  const lines = [header.join(',')];
  for (const f of files) {
    for (const r of f.rows) lines.push([f.kind, f.workflowId, ...fields.map((k) => r[k])].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

type ReportOptions = { tenant: string; format: 'csv' | 'json'; runs: number; reportsDir: string };

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Migration failures, sync reconciliation and the whole audit log of a tenant, from the report files on the ' +
        'worker’s DATA_DIR, and where its manifest and revert reports are, with their counts ' +
        '(run it where those files can be read; unreadable ones are named on stderr, exit 3)',
    )
    .addOption(tenantOption())
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option(
      '--reports-dir <dir>',
      'the report store: only files inside it are read (default: $DATA_DIR/reports, or .data/reports)',
      defaultReportsDir(),
    )
    .option('--runs <n>', 'how many finished scheduled sync runs to include, newest first', intParser(0, 1000), 20)
    .action(async (o: ReportOptions, cmd: Command) => {
      const client = await contextOf(cmd).temporal();
      const files = (await findReports(client, o.tenant, o.runs)).map((s) => readReport(s, o.reportsDir));
      // The manifest and the revert reports: their paths and counts (a manifest has a line per memo).
      const ledger = findLedgerFiles(o.reportsDir, (await readStatus(client, o.tenant)).status);
      if (o.format === 'json') {
        process.stdout.write(JSON.stringify({ tenantId: o.tenant, reports: files, ledger }, null, 2) + '\n');
      } else {
        process.stdout.write(toCsv(files));
        for (const f of ledger) process.stderr.write(describeLedgerFile(f) + '\n');
      }
      const unreadable = files.filter((f) => !f.readable);
      // Only the CSV or JSON goes to stdout (a script reads it); what it means for a person goes to stderr.
      if (!files.some((f) => f.kind !== 'audit-log' && (f.rows.length > 0 || !f.readable))) {
        process.stderr.write('No failures and nothing to reconcile.\n');
      }
      if (unreadable.length > 0) {
        throw new CliError(
          'These report files are not readable from here (they are on the worker’s DATA_DIR; run this where it is ' +
            `mounted and pass --reports-dir, or copy them):\n` +
            unreadable.map((f) => `  ${f.kind}: ${printable(f.path)} (${f.problem ?? 'missing'})`).join('\n'),
          EXIT.notFound,
        );
      }
    });
}

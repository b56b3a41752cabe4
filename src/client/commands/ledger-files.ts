// What `is-upgrade report` lists besides the failures and the audit log (issue 14 §4): the migration's manifest (every
// memo it changed, with its sha256) and the revert's reports — their paths and counts, not their rows (a manifest
// holds a line per memo). Read only inside the report store, like every report (../../reports/read-report.ts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReportFile, resolveInStore } from '../../reports/read-report';
import { reportDirName } from '../../reports/report-store';
import {
  MANIFEST_FILE,
  REVERT_REPORT_FILE,
  checksumFileOf,
  migrationManifestKey,
  revertDryRunWorkflowId,
  revertWorkflowId,
} from '../../shared/manifest';
import type { UpgradeStatus } from '../../shared/upgrade';

export type LedgerFile = {
  kind: 'manifest' | 'revert-report' | 'revert-dry-run-report';
  path: string;
  readable: boolean;
  problem?: string;
  /** Lines (memos) in the file. */
  memos: number;
  /** manifest: memos the migration changed (what a revert sets back); revert: memos per outcome. */
  counts: Record<string, number>;
  /** Whether the file still matches the sha256 written beside it. */
  checksum?: 'ok' | 'mismatch' | 'missing';
};

/** The manifest the status names (the migration's, else the canary's, which share one), or where it is kept. */
function manifestPath(storeRoot: string, status: UpgradeStatus): string {
  return (
    status.migration.result?.manifest?.location ??
    status.migration.canary?.manifest?.location ??
    join(storeRoot, reportDirName(migrationManifestKey(status.tenantId)), MANIFEST_FILE)
  );
}

function checksumOf(real: string): LedgerFile['checksum'] {
  const sum = checksumFileOf(real);
  if (!existsSync(sum)) return 'missing';
  const recorded = /^([0-9a-f]{64}) {2}/.exec(readFileSync(sum, 'utf8'))?.[1];
  return recorded === createHash('sha256').update(readFileSync(real)).digest('hex') ? 'ok' : 'mismatch';
}

function ledgerFile(
  storeRoot: string,
  kind: LedgerFile['kind'],
  path: string,
  count: (r: Record<string, unknown>) => string | null,
): LedgerFile {
  const read = readReportFile(storeRoot, path);
  if (!read.ok) return { kind, path, readable: false, problem: read.reason, memos: 0, counts: {} };
  const counts: Record<string, number> = {};
  for (const r of read.rows) {
    const key = count(r);
    if (key !== null) counts[key] = (counts[key] ?? 0) + 1;
  }
  const at = resolveInStore(storeRoot, path);
  return {
    kind,
    path,
    readable: true,
    memos: read.rows.length,
    counts,
    ...(at.ok ? { checksum: checksumOf(at.real) } : {}),
  };
}

/** The manifest (when the migration wrote one, or the status names it) and the revert reports that exist. */
export function findLedgerFiles(storeRoot: string, status: UpgradeStatus): LedgerFile[] {
  const files: LedgerFile[] = [];
  const manifest = manifestPath(storeRoot, status);
  const named = status.migration.result?.manifest ?? status.migration.canary?.manifest;
  if (named || resolveInStore(storeRoot, manifest).ok) {
    files.push(ledgerFile(storeRoot, 'manifest', manifest, (r) => (r.changed === true ? 'changed' : 'unchanged')));
  }
  const reverts = [
    ['revert-report', revertWorkflowId(status.tenantId)],
    ['revert-dry-run-report', revertDryRunWorkflowId(status.tenantId)],
  ] as const;
  for (const [kind, workflowId] of reverts) {
    const path = join(storeRoot, reportDirName(workflowId), REVERT_REPORT_FILE);
    if (resolveInStore(storeRoot, path).ok) {
      files.push(ledgerFile(storeRoot, kind, path, (r) => (typeof r.outcome === 'string' ? r.outcome : null)));
    }
  }
  return files;
}

/** One line per file, for a person (stderr beside a CSV on stdout). */
export function describeLedgerFile(f: LedgerFile): string {
  const label = {
    manifest: 'Manifest',
    'revert-report': 'Revert report',
    'revert-dry-run-report': 'Revert dry-run report',
  }[f.kind];
  if (!f.readable) return `${label}: ${f.path} (not readable from here: ${f.problem})`;
  const counts = Object.entries(f.counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${label}: ${f.path} (${f.memos} memo(s)${counts ? `: ${counts}` : ''}; sha256 ${f.checksum ?? '—'})`;
}

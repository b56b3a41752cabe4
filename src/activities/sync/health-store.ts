// Where the health of a tenant's sync lives between runs (docs/web-ui.md §4): one small JSON file per tenant and sync
// kind in the report store (DATA_DIR/reports, a shared volume in a multi-worker deployment). A scheduled run is a
// fresh workflow each time and a failed run has no result, so the state cannot live in the previous run's result
// like the watermark. Written whole to a temporary file and renamed: a reader sees the old state or the new one.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { log } from '@temporalio/activity';
import type { ReportStore } from '../../reports/report-store';
import { emptySyncHealth, syncHealthStateSchema, type SyncHealthState } from '../../shared/sync-health';
import type { SyncKind } from '../../shared/sync';

export const syncHealthPath = (reports: ReportStore, tenantId: string, kind: SyncKind) =>
  reports.pathFor(`sync-health-${tenantId}`, `${kind}.json`);

export function readSyncHealth(path: string): SyncHealthState {
  if (!existsSync(path)) return emptySyncHealth();
  const parsed = syncHealthStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (parsed.success) return parsed.data;
  // A file we cannot read must not silence the alerts for good: start again (and say so).
  log.warn('sync health state unreadable; starting afresh', { path, error: parsed.error.message });
  return emptySyncHealth();
}

export function writeSyncHealth(path: string, state: SyncHealthState): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, path);
}

// What the status keeps of a sync the upgrade ran (the final credit memo sync, the payment catch-up sync).
import type { SyncResult } from '../../shared/sync';

export function summarizeSync(r: SyncResult): Record<string, unknown> {
  return {
    examined: r.examined,
    created: r.created,
    alreadyInZuora: r.alreadyInZuora,
    synced: r.synced,
    skippedByReason: r.skippedByReason,
    failed: r.failed,
    eligibleRemaining: r.eligibleRemaining,
    reconciliationNeeded: r.reconciliationNeeded,
    reports: r.reports,
  };
}

// `npm start`'s demo tenant runs the NetSuite→Zuora credit memo sync on a schedule, as a tenant does before the
// upgrade (seed 002; docs/product.md): step 1 of the upgrade reads the syncs the tenant had enabled from it and its
// final run syncs the demo's NetSuite credit memos. The schedule is created paused, so that no scheduled run (nor a
// catch-up run after a restart of the persistent dev server) syncs them first; `is-upgrade schedules trigger` runs it.
import type { Client } from '@temporalio/client';
import { ensureSyncSchedule } from './temporal/schedules';

export async function ensureDemoCreditMemoSchedule(
  client: Client,
  o: { tenantId: string; taskQueue: string },
): Promise<{ scheduleId: string; created: boolean }> {
  const s = await ensureSyncSchedule(client, {
    kind: 'credit-memo',
    tenantId: o.tenantId,
    interval: '30m', // Zuora advises at least 30 minutes (docs/zuora.md §7, connector settings)
    input: { tenantId: o.tenantId, standard: true, negativeBalance: true },
    taskQueue: o.taskQueue,
    paused: true,
    note: "demo tenant's pre-upgrade credit memo sync (paused: the upgrade's step 1 syncs the memos)",
  });
  return { scheduleId: s.scheduleId, created: s.created ?? false };
}

// All activities of one tenant, as one factory over injected clients: tests and the worker build them the same way,
// with real or emulated Zuora/NetSuite behind the same HTTP clients. The worker serves many tenants through
// ./tenant-routing.ts, which builds one such set per tenant of its registry.
import type { Client } from '@temporalio/client';
import type { NetSuiteClient } from '../netsuite/client';
import type { Notifier } from '../notifier/notifier';
import type { ReportStore } from '../reports/report-store';
import type { ZuoraClient } from '../zuora/client';
import { createManifestActivities } from './manifest';
import { createMigrationActivities } from './migration';
import { createReadinessActivities } from './readiness';
import { createRevertActivities } from './revert';
// './sync/index', not './sync': a dist/ built before the split may still hold a stale sync.js that Node would load.
import { createSyncActivities } from './sync/index';
import type { TenantLeases } from './tenant-lease';
import { createUpgradeActivities } from './upgrade';

export type ActivityDeps = {
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  notifier: Notifier;
  reports: ReportStore;
  /** Schedules and sync watermarks go through the Temporal client. */
  temporal: Client;
  /** The tenant whose clients these are; the activities refuse any other (the worker routes: ./tenant-routing.ts). */
  tenantId: string;
  taskQueue: string;
  /** The tenant budget across worker processes (issue 15 §2); absent: the process-wide gates alone. */
  leases?: TenantLeases;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMigrationActivities(deps),
    ...createManifestActivities(deps),
    ...createRevertActivities(deps),
    ...createSyncActivities(deps),
    ...createUpgradeActivities(deps),
    ...createReadinessActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

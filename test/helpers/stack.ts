// The parts a workflow test needs besides Temporal: both emulators in-process, our real HTTP clients pointed at
// them, a report folder, a notifier that records, and the activities built exactly as the worker builds them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { createActivities } from '../../src/activities';
import { createTenantRoutedActivities } from '../../src/activities/tenant-routing';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../../emulators/netsuite/server';
import { startZuoraEmulator, type RunningZuoraEmulator, type ZuoraEmulatorOptions } from '../../emulators/zuora/server';
import { RequestGate } from '../../src/http/request-gate';
import { NetSuiteClient } from '../../src/netsuite/client';
import type { Notification, Notifier } from '../../src/notifier/notifier';
import { ReportStore } from '../../src/reports/report-store';
import { ZuoraClient } from '../../src/zuora/client';

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(n: Notification): Promise<void> {
    this.sent.push(n);
  }
}

export type Stack = {
  zuoraEmulator: RunningZuoraEmulator;
  netsuiteEmulator: RunningNetSuiteEmulator;
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  reports: ReportStore;
  notifier: RecordingNotifier;
  activities(temporal: Client, taskQueue: string): ReturnType<typeof createActivities>;
  stop(): Promise<void>;
};

export async function startStack(
  o: { tenantId?: string; zuora?: ZuoraEmulatorOptions; zuoraBudget?: number } = {},
): Promise<Stack> {
  const zuoraEmulator = await startZuoraEmulator(o.zuora ?? {});
  const netsuiteEmulator = await startNetSuiteEmulator({});
  const settings = zuoraEmulator.admin.config();
  const zuora = new ZuoraClient({
    baseUrl: zuoraEmulator.url,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    gate: new RequestGate({ maxInFlight: o.zuoraBudget ?? 32 }),
    backoff: { baseMs: 20, maxMs: 500 },
  });
  const c = netsuiteEmulator.credentials;
  const netsuite = new NetSuiteClient({
    ...c,
    gate: new RequestGate({ maxInFlight: 5 }),
    backoff: { baseMs: 20, maxMs: 500 },
  });
  const reports = new ReportStore(mkdtempSync(join(tmpdir(), 'is-reports-')));
  const notifier = new RecordingNotifier();
  const tenantId = o.tenantId ?? 'demo';
  const clients = { zuora, netsuite };
  return {
    zuoraEmulator,
    netsuiteEmulator,
    zuora,
    netsuite,
    reports,
    notifier,
    // Routed by tenant as the worker routes them (src/wiring.ts), over a registry of this one tenant.
    activities: (temporal, taskQueue) =>
      createTenantRoutedActivities({
        tenants: {
          get: (id) => (id === tenantId ? clients : undefined),
          source: `the test stack's tenant "${tenantId}"`,
        },
        notifier,
        reports,
        temporal,
        taskQueue,
      }),
    stop: async () => {
      await Promise.all([zuoraEmulator.stop(), netsuiteEmulator.stop()]);
    },
  };
}

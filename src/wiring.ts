// Builds what the worker's activities need from the configuration: the Zuora and NetSuite clients (pointed at the
// real systems, or at emulators this process starts), the notifier and the report store. Secrets are revealed here,
// into the HTTP clients, and nowhere else.
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { createActivities } from './activities';
import { createTenantLeases } from './activities/tenant-lease';
import { redactUrl, type AppConfig } from './config';
import type { RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import type { RunningZuoraEmulator } from '../emulators/zuora/server';
import { RequestGate } from './http/request-gate';
import { NetSuiteClient } from './netsuite/client';
import { LogNotifier, WebhookNotifier, type Notifier } from './notifier/notifier';
import { ReportStore } from './reports/report-store';
import { ZuoraClient } from './zuora/client';

export type Dependencies = {
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  notifier: Notifier;
  reports: ReportStore;
  createActivities: (temporal: Client) => ReturnType<typeof createActivities>;
  stoppables: { name: string; stop: () => Promise<void> }[];
  /** Lines for the start banner (no secrets). */
  describe: string[];
};

/** Our share of a tenant's concurrency limit: leave 20% for the other integrations. */
export const budgetOf = (limit: number) => Math.max(1, Math.floor(limit * 0.8));

export async function buildDependencies(config: AppConfig): Promise<Dependencies> {
  const stoppables: Dependencies['stoppables'] = [];
  const describe: string[] = [];

  // Emulators only for the systems config.emulators names (explicitly asked for, or the demo of `npm start` with
  // nothing real configured: src/config.ts); when both are emulated, the Zuora tenant mirrors the NetSuite demo
  // account as the connector would have left it, so the syncs have something real to do. They live beside the
  // product (emulators/) and are imported only here, lazily: a production worker loads neither them nor sql.js
  // (test/platform/production-worker-modules.test.ts).
  let zuoraEmulator: RunningZuoraEmulator | undefined;
  let netsuiteEmulator: RunningNetSuiteEmulator | undefined;
  if (config.emulators.netsuite) {
    const { startNetSuiteEmulator } = await withSqlJs(import('../emulators/netsuite/server'));
    netsuiteEmulator = await startNetSuiteEmulator({ port: config.emulatorPorts.netsuite, seed: { demo: true } });
    const emulator = netsuiteEmulator;
    stoppables.push({ name: 'NetSuite emulator', stop: () => emulator.stop() });
  }
  if (config.emulators.zuora) {
    const { startZuoraEmulator } = await import('../emulators/zuora/server');
    // The demo tenant has a draft payment and a payment run applying credit balance: the readiness preflight lists them.
    zuoraEmulator = await startZuoraEmulator({
      port: config.emulatorPorts.zuora,
      seed: { demo: true, readinessOffenders: 'demo' },
    });
    const emulator = zuoraEmulator;
    stoppables.push({ name: 'Zuora emulator', stop: () => emulator.stop() });
    if (netsuiteEmulator) {
      const { mirrorNetSuiteIntoZuora } = await import('../emulators/linked-tenants');
      mirrorNetSuiteIntoZuora(netsuiteEmulator, zuoraEmulator.state);
    }
  }

  let zuora: ZuoraClient;
  const zuoraGate = new RequestGate({ maxInFlight: budgetOf(config.zuoraConcurrencyLimit) });
  if (config.zuora && !zuoraEmulator) {
    zuora = new ZuoraClient({
      baseUrl: config.zuora.baseUrl,
      clientId: config.zuora.clientId,
      clientSecret: config.zuora.clientSecret.reveal(),
      entityIds: config.zuora.entityId,
      gate: zuoraGate,
    });
    describe.push(`Zuora:       real, ${redactUrl(config.zuora.baseUrl)}`);
  } else {
    const emulator = mustHave(zuoraEmulator, 'Zuora');
    const settings = emulator.admin.config();
    zuora = new ZuoraClient({
      baseUrl: emulator.url,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      gate: zuoraGate,
    });
    describe.push(`Zuora:       emulator, ${emulator.url} (demo tenant; admin API at ${emulator.url}/__admin)`);
  }

  let netsuite: NetSuiteClient;
  const netsuiteGate = new RequestGate({ maxInFlight: config.netsuiteConcurrencyLimit });
  if (config.netsuite && !netsuiteEmulator) {
    netsuite = new NetSuiteClient({
      accountId: config.netsuite.accountId,
      restBaseUrl: config.netsuite.restBaseUrl,
      consumerKey: config.netsuite.consumerKey,
      consumerSecret: config.netsuite.consumerSecret.reveal(),
      tokenId: config.netsuite.tokenId,
      tokenSecret: config.netsuite.tokenSecret.reveal(),
      gate: netsuiteGate,
    });
    describe.push(
      `NetSuite:    real, ${redactUrl(config.netsuite.restBaseUrl)} (account ${config.netsuite.accountId})`,
    );
  } else {
    const emulator = mustHave(netsuiteEmulator, 'NetSuite');
    const c = emulator.credentials;
    netsuite = new NetSuiteClient({
      accountId: c.accountId,
      restBaseUrl: c.restBaseUrl,
      consumerKey: c.consumerKey,
      consumerSecret: c.consumerSecret,
      tokenId: c.tokenId,
      tokenSecret: c.tokenSecret,
      gate: netsuiteGate,
    });
    describe.push(`NetSuite:    emulator, ${emulator.url} (demo account; admin API at ${emulator.url}/__admin)`);
  }

  const notifier: Notifier = config.notifyWebhookUrl ? new WebhookNotifier(config.notifyWebhookUrl) : new LogNotifier();
  describe.push(
    `Notify:      ${config.notifyWebhookUrl ? `webhook at ${redactUrl(config.notifyWebhookUrl)}` : 'log (set NOTIFY_WEBHOOK_URL for Slack)'}`,
  );
  describe.push(
    config.tenantLeases
      ? `Budget:      Zuora ${budgetOf(config.zuoraConcurrencyLimit)} of ${config.zuoraConcurrencyLimit}, NetSuite ${config.netsuiteConcurrencyLimit}, shared by every worker of the tenant (docs/tenant-budget.md)`
      : `Budget:      per process (TENANT_LEASES=off): K processes may use K budgets`,
  );
  const reports = new ReportStore(join(config.dataDir, 'reports'));
  describe.push(`Reports:     ${reports.root}`);

  return {
    zuora,
    netsuite,
    notifier,
    reports,
    stoppables,
    describe,
    createActivities: (temporal) =>
      createActivities({
        // The tenant budget across processes (docs/tenant-budget.md). The registry will give these per tenant.
        leases: config.tenantLeases
          ? createTenantLeases({
              temporal,
              taskQueue: config.taskQueue,
              resources: (tenantId) =>
                tenantId === config.tenantId
                  ? {
                      zuora: { gate: zuoraGate, budget: budgetOf(config.zuoraConcurrencyLimit) },
                      netsuite: { gate: netsuiteGate, budget: config.netsuiteConcurrencyLimit },
                    }
                  : undefined,
            })
          : undefined,
        zuora,
        netsuite,
        notifier,
        reports,
        temporal,
        tenantId: config.tenantId,
        taskQueue: config.taskQueue,
      }),
  };
}

/** The NetSuite emulator's SQLite is sql.js, an optional dependency: a production install may leave it out (README). */
async function withSqlJs<T>(loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (err as Error).message.includes("'sql.js'"))
      throw new Error(
        'the NetSuite emulator needs sql.js, an optional dependency this install left out (--omit=optional): ' +
          'install it, or configure the real NetSuite (NETSUITE_*)',
      );
    throw err;
  }
}

/** loadConfig guarantees each system is configured or emulated; this keeps a wiring slip from going unnoticed. */
function mustHave<T>(emulator: T | undefined, system: string): T {
  if (!emulator) throw new Error(`${system} is neither configured nor emulated (see EMULATORS in the README)`);
  return emulator;
}

// Builds what the worker's activities need from the configuration: the tenant registry (each tenant's Zuora and
// NetSuite clients, pointed at the real systems or at emulators this process starts for the demo), the notifier and
// the report store. Secrets are revealed only into the HTTP clients (src/tenants/registry.ts).
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Activities } from './activities';
import { createTenantLeases } from './activities/tenant-lease';
import { createTenantRoutedActivities } from './activities/tenant-routing';
import { redactUrl, Secret, type AppConfig } from './config';
import type { RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import type { RunningZuoraEmulator } from '../emulators/zuora/server';
import { LogNotifier, WebhookNotifier, type Notifier } from './notifier/notifier';
import { ReportStore } from './reports/report-store';
import { describeRegistrySource, readTenantRegistry } from './tenants/load';
import { TenantRegistry } from './tenants/registry';
import type { TenantConfig } from './tenants/schema';

import { budgetOf } from './tenants/registry';
export { budgetOf };

export type Dependencies = {
  /** Every tenant this worker serves, with its clients and gates (`tenants.get(id).zuoraGate`). */
  tenants: TenantRegistry;
  notifier: Notifier;
  reports: ReportStore;
  createActivities: (temporal: Client) => Activities;
  stoppables: { name: string; stop: () => Promise<void> }[];
  /** Lines for the start banner (no secrets). */
  describe: string[];
};

/**
 * `registered`: the tenants of config.tenantRegistry when the caller has read them already (main.ts reads them with
 * the rest of the settings, so a bad registry stops the start like any bad setting).
 */
export async function buildDependencies(
  config: AppConfig,
  registered?: readonly TenantConfig[],
): Promise<Dependencies> {
  const stoppables: Dependencies['stoppables'] = [];
  const describe: string[] = [];

  let tenants: TenantRegistry;
  if (config.tenantRegistry) {
    const list = registered ?? readTenantRegistry(config.tenantRegistry);
    tenants = new TenantRegistry(list, describeRegistrySource(config.tenantRegistry));
    const ids = tenants.ids();
    describe.push(
      `Tenants:     ${ids.length} from ${tenants.source}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`,
    );
  } else {
    const single = await singleTenant(config, stoppables, describe);
    tenants = new TenantRegistry([single], `TENANT_ID=${config.tenantId}: the single-tenant settings`);
  }

  const notifier: Notifier = config.notifyWebhookUrl ? new WebhookNotifier(config.notifyWebhookUrl) : new LogNotifier();
  describe.push(
    `Notify:      ${config.notifyWebhookUrl ? `webhook at ${redactUrl(config.notifyWebhookUrl)}` : 'log (set NOTIFY_WEBHOOK_URL for Slack)'}`,
  );
  describe.push(
    config.tenantLeases
      ? "Budget:      each tenant's Zuora and NetSuite budget shared by every worker of the tenant (docs/tenant-budget.md)"
      : 'Budget:      per process (TENANT_LEASES=off): K processes may use K budgets',
  );
  const reports = new ReportStore(join(config.dataDir, 'reports'));
  describe.push(`Reports:     ${reports.root}`);

  return {
    tenants,
    notifier,
    reports,
    stoppables,
    describe,
    createActivities: (temporal) =>
      createTenantRoutedActivities({
        tenants,
        notifier,
        reports,
        temporal,
        taskQueue: config.taskQueue,
        // Each tenant's budget is shared by every worker of the tenant (docs/tenant-budget.md): leases per tenant,
        // over that tenant's gates and limits from the registry.
        leases: config.tenantLeases
          ? createTenantLeases({
              temporal,
              taskQueue: config.taskQueue,
              resources: (tenantId) => {
                const e = tenants.get(tenantId);
                return e
                  ? {
                      zuora: { gate: e.zuoraGate, budget: budgetOf(e.limits.zuora) },
                      netsuite: { gate: e.netsuiteGate, budget: e.limits.netsuite },
                    }
                  : undefined;
              },
            })
          : undefined,
      }),
  };
}

/**
 * TENANT_ID, ZUORA_* and NETSUITE_*: a registry of one, whose systems are real or the demo emulators this process
 * starts.
 */
async function singleTenant(
  config: AppConfig,
  stoppables: Dependencies['stoppables'],
  describe: string[],
): Promise<TenantConfig> {
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

  describe.push(`Tenant:      ${config.tenantId} (TENANT_ID; many tenants: TENANT_REGISTRY, see the README)`);
  let zuora: TenantConfig['zuora'];
  if (config.zuora && !zuoraEmulator) {
    zuora = config.zuora;
    describe.push(`Zuora:       real, ${redactUrl(config.zuora.baseUrl)}`);
  } else {
    const emulator = mustHave(zuoraEmulator, 'Zuora');
    const settings = emulator.admin.config();
    zuora = {
      baseUrl: emulator.url,
      clientId: settings.clientId,
      clientSecret: new Secret(settings.clientSecret),
      concurrencyLimit: config.zuoraConcurrencyLimit,
    };
    describe.push(`Zuora:       emulator, ${emulator.url} (demo tenant; admin API at ${emulator.url}/__admin)`);
  }

  let netsuite: TenantConfig['netsuite'];
  if (config.netsuite && !netsuiteEmulator) {
    netsuite = config.netsuite;
    describe.push(
      `NetSuite:    real, ${redactUrl(config.netsuite.restBaseUrl)} (account ${config.netsuite.accountId})`,
    );
  } else {
    const emulator = mustHave(netsuiteEmulator, 'NetSuite');
    const c = emulator.credentials;
    netsuite = {
      accountId: c.accountId,
      restBaseUrl: c.restBaseUrl,
      consumerKey: c.consumerKey,
      consumerSecret: new Secret(c.consumerSecret),
      tokenId: c.tokenId,
      tokenSecret: new Secret(c.tokenSecret),
      concurrencyLimit: config.netsuiteConcurrencyLimit,
    };
    describe.push(`NetSuite:    emulator, ${emulator.url} (demo account; admin API at ${emulator.url}/__admin)`);
  }
  return { id: config.tenantId, zuora, netsuite };
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

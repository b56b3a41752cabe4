// One sync test's world: both emulators in-process, our real HTTP clients pointed at them, the activities built by
// the worker's own factory, and a real worker on the shared Temporal dev server. Each harness has its own tenant id
// (the watermark is found through visibility by tenant, so tests must not see each other's runs) and task queue.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import {
  startNetSuiteEmulator,
  type NetSuiteEmulatorOptions,
  type RunningNetSuiteEmulator,
} from '../../emulators/netsuite/server';
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { startZuoraEmulator, type RunningZuoraEmulator, type ZuoraEmulatorOptions } from '../../emulators/zuora/server';
import { RequestGate } from '../../src/http/request-gate';
import { NetSuiteClient } from '../../src/netsuite/client';
import { connectorFields } from '../../src/netsuite/fields';
import { ReportStore } from '../../src/reports/report-store';
import type { SyncNetSuiteCreditMemosInput, SyncNetSuitePaymentsInput, SyncResult } from '../../src/shared/sync';
import { syncNetSuiteCreditMemos } from '../../src/workflows/sync-netsuite-credit-memos';
import { syncNetSuitePayments } from '../../src/workflows/sync-netsuite-payments';
import { ZuoraClient } from '../../src/zuora/client';
import { NotifierError, type Notification } from '../../src/notifier/notifier';
import { RecordingNotifier } from '../helpers/stack';
import { devServerEnv, testWorker, uniqueTaskQueue } from '../helpers/temporal';

export const F = connectorFields();

/** The notifier's test sink, whose channel can be down (every notification then fails as a webhook's would). */
export class TestChannel extends RecordingNotifier {
  down = false;
  override async notify(n: Notification): Promise<void> {
    if (this.down) throw new NotifierError('notification webhook unreachable: channel down (test)', true);
    await super.notify(n);
  }
}

/** A request the NetSuite client sends that the harness answers itself (an injected failure), `times` times. */
type NetSuiteFault = {
  match: (method: string, url: string, body: string) => boolean;
  remaining: number;
  status: number;
};

export type Harness = {
  env: TestWorkflowEnvironment;
  tenantId: string;
  taskQueue: string;
  netsuiteEmulator: RunningNetSuiteEmulator;
  zuoraEmulator: RunningZuoraEmulator;
  zuora: ZuoraClient;
  netsuite: NetSuiteClient;
  reports: ReportStore;
  /** What the activities notified (sync alerts). */
  notifier: TestChannel;
  /** Seeds the NetSuite demo tenant and mirrors its Zuora side into the Zuora emulator. */
  seedDemo(): DemoTenant;
  /** Mirrors whatever NetSuite holds now into Zuora (after adding records by hand). */
  mirror(): void;
  /** The next `times` NetSuite requests matching `match` are answered `status` without reaching the emulator. */
  failNetSuite(match: NetSuiteFault['match'], times: number, status?: number): NetSuiteFault;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  creditMemos(input: Omit<SyncNetSuiteCreditMemosInput, 'tenantId'>, workflowId?: string): Promise<SyncResult>;
  payments(input: Omit<SyncNetSuitePaymentsInput, 'tenantId'>, workflowId?: string): Promise<SyncResult>;
  /** Waits until visibility lists `workflowId` as completed (the next run finds its watermark through it). */
  visible(workflowId: string): Promise<void>;
  /** A NetSuite transaction row (custom fields by script id). */
  record(id: number): Record<string, unknown>;
  /** Zuora invoice adjustments with this ReferenceId. */
  adjustments(referenceId: string): Array<Record<string, unknown>>;
  stop(): Promise<void>;
};

/**
 * The jest lifecycle the sync test files share: one dev-server environment per file, and per test a fresh harness
 * seeded with the demo tenant, handed to `each` (stopped after the test). `once`: one harness for the whole file
 * (tests that each check one aspect of the same run).
 */
export function useDemoHarness(each: (h: Harness, demo: DemoTenant) => void, o: { once?: boolean } = {}): void {
  let env: TestWorkflowEnvironment;
  let h: Harness | undefined;
  const start = async () => {
    h = await startHarness(env);
    each(h, h.seedDemo());
  };
  const stop = async () => {
    await h?.stop();
  };
  beforeAll(async () => {
    env = await devServerEnv();
    if (o.once) await start();
  });
  afterAll(async () => {
    if (o.once) await stop();
    await env?.teardown();
  });
  if (!o.once) {
    beforeEach(start);
    afterEach(stop);
  }
}

export async function startHarness(
  env: TestWorkflowEnvironment,
  o: {
    netsuiteLimits?: NetSuiteEmulatorOptions['limits'];
    zuoraLimits?: ZuoraEmulatorOptions['limits'];
    /** Sees every NetSuite request the client sends (the oracle test records the writes). */
    observeNetSuite?: (method: string, url: string, body: string) => void;
  } = {},
): Promise<Harness> {
  const tenantId = `t-${randomUUID().slice(0, 8)}`;
  const taskQueue = uniqueTaskQueue('sync');
  const netsuiteEmulator = await startNetSuiteEmulator({ limits: o.netsuiteLimits });
  const zuoraEmulator = await startZuoraEmulator({ limits: o.zuoraLimits, retryAfterSeconds: 1 });
  const settings = zuoraEmulator.admin.config();
  const zuora = new ZuoraClient({
    baseUrl: zuoraEmulator.url,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    gate: new RequestGate({ maxInFlight: 32 }),
    backoff: { baseMs: 20, maxMs: 300 },
  });

  const faults: NetSuiteFault[] = [];
  const netsuiteFetch: typeof fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? init.body : '';
    o.observeNetSuite?.(method, url, body);
    const fault = faults.find((f) => f.remaining > 0 && f.match(method, url, body));
    if (fault) {
      fault.remaining--;
      const error = {
        title: 'Injected',
        status: fault.status,
        'o:errorDetails': [{ detail: 'injected by the test', 'o:errorCode': 'UNEXPECTED_ERROR' }],
      };
      return new Response(JSON.stringify(error), {
        status: fault.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    return fetch(input, init);
  };
  const netsuite = new NetSuiteClient({
    ...netsuiteEmulator.credentials,
    gate: new RequestGate({ maxInFlight: 5 }),
    backoff: { baseMs: 20, maxMs: 300 },
    fetch: netsuiteFetch,
  });
  const reports = new ReportStore(mkdtempSync(join(tmpdir(), 'sync-reports-')));
  const notifier = new TestChannel();
  const activities = createActivities({
    zuora,
    netsuite,
    notifier,
    reports,
    temporal: env.client,
    tenantId,
    taskQueue,
  });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    // stopWorker stands for a worker going away mid-chunk: its running chunk is cancelled at once instead of after
    // the worker's 5 s of grace (the retry on the next worker resumes it either way).
    worker = (await testWorker(env, activities, taskQueue, { shutdownGraceTime: '100ms' })).worker;
    running = worker.run();
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.shutdown();
    await running;
    worker = undefined;
  };
  await startWorker();

  const h: Harness = {
    env,
    tenantId,
    taskQueue,
    netsuiteEmulator,
    zuoraEmulator,
    zuora,
    netsuite,
    reports,
    notifier,
    seedDemo: () => {
      const demo = netsuiteEmulator.admin.seed({ demo: true }).demo!;
      mirrorNetSuiteIntoZuora(netsuiteEmulator, zuoraEmulator.state);
      return demo;
    },
    mirror: () => void mirrorNetSuiteIntoZuora(netsuiteEmulator, zuoraEmulator.state),
    failNetSuite: (match, times, status = 503) => {
      const fault = { match, remaining: times, status };
      faults.push(fault);
      return fault;
    },
    startWorker,
    stopWorker,
    creditMemos: (input, workflowId = `cm-sync-${randomUUID()}`) =>
      env.client.workflow.execute(syncNetSuiteCreditMemos, { taskQueue, workflowId, args: [{ tenantId, ...input }] }),
    payments: (input, workflowId = `payment-sync-${randomUUID()}`) =>
      env.client.workflow.execute(syncNetSuitePayments, { taskQueue, workflowId, args: [{ tenantId, ...input }] }),
    visible: async (workflowId) => {
      const query = `WorkflowId = '${workflowId}' AND ExecutionStatus = 'Completed'`;
      for (;;) {
        for await (const _ of env.client.workflow.list({ query })) return;
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling the condition, not a fixed wait
      }
    },
    record: (id) => netsuiteEmulator.admin.account.transaction(id) as Record<string, unknown>,
    adjustments: (referenceId) =>
      [...zuoraEmulator.state.invoiceAdjustments.values()].filter((a) => a.ReferenceId === referenceId),
    stop: async () => {
      await stopWorker();
      await Promise.all([netsuiteEmulator.stop(), zuoraEmulator.stop()]);
    },
  };
  return h;
}

/** Every ReferenceId Zuora holds more than one adjustment for (a duplicate in the ledger). */
export function duplicateReferenceIds(h: Harness): string[] {
  return Object.entries(h.zuoraEmulator.admin.counters().adjustmentsPerReferenceId)
    .filter(([, n]) => n > 1)
    .map(([ref]) => ref);
}

// The chaos run (issue 8): a whole upgrade with an N-memo migration and both syncs, once without faults and once
// while the worker is SIGKILLed and restarted at random moments K times, the Temporal dev server (persistent SQLite)
// is restarted once, and both emulators answer 10% 5xx plus bursts of 429s. Invariants, printed as figures:
// every migrated memo Yes; no duplicate adjustment or payment; the final status equal to the fault-free run's
// (timestamps and report paths aside); nothing left running. Last line: invariants_held=true|false.
//   npm run chaos                              # N = 50,000, K = 5
//   npm run chaos -- --n 5000 --kills 3 --seed 7
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { deleteSyncSchedule, ensureSyncSchedule } from '../src/client/schedules';
import { mirrorNetSuiteIntoZuora } from '../src/emulators/linked-tenants';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../src/emulators/netsuite/server';
import { seededRandom } from '../src/emulators/common/random';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../src/emulators/zuora/server';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../src/shared/migration';
import {
  MESSAGE_DEFINITIONS,
  statusQuery,
  type MessageName,
  type StepId,
  type UpgradeStatus,
} from '../src/shared/upgrade';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { invoiceSettlementUpgrade } from '../src/workflows/invoice-settlement-upgrade';
import { emulatorWorkerEnv, freePortNumber, numberArg, startWorkerProcess } from './harness';

const TENANT = 'demo';
const by = 'chaos@example.com';

type World = {
  server: RunningDevServer;
  serverOptions: Parameters<typeof startDevServer>[0];
  client: Client;
  zuora: RunningZuoraEmulator;
  netsuite: RunningNetSuiteEmulator;
  worker?: ChildProcess;
  workerEnv: NodeJS.ProcessEnv;
};

/** Calls that may meet a restarting server or worker: try again until they go through (bounded). */
async function persist<T>(what: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function waitForStep(handle: WorkflowHandle, id: StepId, state: string): Promise<UpgradeStatus> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const s = await persist('status', () => handle.query(statusQuery));
    const step = s.steps.find((x) => x.id === id)!;
    if (step.state === state) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${id} to be ${state} (it is ${step.state})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function send(handle: WorkflowHandle, name: MessageName, payload: Record<string, unknown>): Promise<void> {
  const update = MESSAGE_DEFINITIONS[name].update as never;
  await persist(name, () => handle.executeUpdate(update, { args: [payload] as never }));
}

function seed(world: World, n: number) {
  world.zuora.admin.reset();
  world.netsuite.admin.reset();
  world.netsuite.admin.seed({ demo: true });
  world.zuora.admin.seed({ demo: true, migratedCreditMemos: n });
  mirrorNetSuiteIntoZuora(world.netsuite, world.zuora.state);
  world.zuora.admin.markSyncedToNetSuite();
}

async function upgrade(world: World, n: number, during: () => void): Promise<UpgradeStatus> {
  seed(world, n);
  await deleteSyncSchedule(world.client, 'credit-memo', TENANT);
  await deleteSyncSchedule(world.client, 'payment', TENANT);
  await ensureSyncSchedule(world.client, {
    kind: 'credit-memo',
    tenantId: TENANT,
    input: { tenantId: TENANT, standard: true, negativeBalance: true },
    taskQueue: 'invoice-settlement',
  });
  const handle = await world.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: 'invoice-settlement',
    workflowId: `is-upgrade-${TENANT}`,
    args: [
      { tenantId: TENANT, oldConnectorInstanceId: 'old-instance-1', options: { migrationHeartbeatTimeoutSeconds: 3 } },
    ],
  });
  during();
  const complete = async (stepId: StepId, data?: Record<string, string>) => {
    await waitForStep(handle, stepId, 'waiting');
    await send(handle, 'completeStep', { by, stepId, ...(data ? { data } : {}) });
  };
  await complete('prepare.freeze-negative-invoices');
  await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  await send(handle, 'invoiceSettlementEnabled', { by });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  await send(handle, 'approveStep', { by, stepId: 'migrate.credit-memos' });
  await complete('connector.oauth-client', { oauthClientId: 'oauth-client-42' });
  await complete('connector.new-instance', { newInstanceId: 'new-instance-2' });
  await complete('connector.support-ticket', { ticketId: 'T-1' });
  await waitForStep(handle, 'connector.provisioning-ids', 'waiting');
  await send(handle, 'provisioningIdsReceived', {
    by: 'zuora-support',
    accountId: 'acc-7781',
    environmentId: 'env-5521',
  });
  for (const id of [
    'connector.sync-preferences',
    'connector.retire-old',
    'payments.zuora-sync-updates-default',
  ] as const) {
    await complete(id);
  }
  return persist('result', () => handle.result(), 600_000);
}

function normalized(s: UpgradeStatus): string {
  return JSON.stringify(s)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/"\/[^"]*\/reports\/[^"]*"/g, '"<report>"');
}

async function restartWorker(world: World, signal: NodeJS.Signals) {
  const w = world.worker;
  if (w && w.exitCode === null) {
    w.kill(signal);
    await new Promise((r) => w.once('exit', r));
  }
  world.worker = await persist('worker start', () => startWorkerProcess(world.workerEnv));
}

async function main(): Promise<void> {
  const n = numberArg('n', 50_000);
  const kills = numberArg('kills', 5);
  const random = seededRandom(numberArg('seed', 42));
  const dataDir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const serverOptions = {
    cliPath: loadTemporalBinaries().cli.path!,
    dataDir: join(dataDir, 'temporal'),
    port: await freePortNumber(),
    uiPort: await freePortNumber(),
  };
  const server = await startDevServer(serverOptions);
  const zuora = await startZuoraEmulator({});
  const netsuite = await startNetSuiteEmulator({});
  const connection = await Connection.connect({ address: server.address });
  const world: World = {
    server,
    serverOptions,
    client: new Client({ connection }),
    zuora,
    netsuite,
    workerEnv: emulatorWorkerEnv({
      temporalAddress: server.address,
      taskQueue: 'invoice-settlement',
      dataDir: join(dataDir, 'worker'),
      zuora,
      netsuite,
    }),
  };
  let held = false;
  try {
    world.worker = await startWorkerProcess(world.workerEnv);
    const t0 = Date.now();
    const baseline = await upgrade(world, n, () => undefined);
    const baselineSeconds = (Date.now() - t0) / 1000;
    await persist('terminate', async () => {
      const d = await world.client.workflow.getHandle(`is-upgrade-${TENANT}`).describe();
      if (d.status.name !== 'COMPLETED') throw new Error('baseline not completed');
    });

    // Faults on, then the same upgrade while the chaos loop runs beside it.
    const faults = { faults: { errorRate: 0.1 }, burst429: 25 } as const;
    let chaosDone = false;
    const events: string[] = [];
    const t1 = Date.now();
    let serverRestarted = false;
    const chaos = (async () => {
      for (let k = 0; k < kills && !chaosDone; k++) {
        await new Promise((r) => setTimeout(r, 2_000 + random() * 6_000));
        if (chaosDone) break;
        zuora.admin.configure({ burst429: 25 });
        netsuite.admin.configure({ burst429: 25 });
        await restartWorker(world, 'SIGKILL');
        events.push(`worker SIGKILL #${k + 1} at ${((Date.now() - t1) / 1000).toFixed(1)} s`);
        if (!serverRestarted && k === Math.floor(kills / 2)) {
          await world.server.stop();
          world.server = await startDevServer(world.serverOptions);
          serverRestarted = true;
          events.push(`dev server restarted at ${((Date.now() - t1) / 1000).toFixed(1)} s`);
        }
      }
    })();
    const chaotic = await upgrade(world, n, () => {
      zuora.admin.configure(faults);
      netsuite.admin.configure(faults);
    });
    chaosDone = true;
    await chaos;
    const chaosSeconds = (Date.now() - t1) / 1000;
    zuora.admin.configure({ faults: { errorRate: 0 }, burst429: 0 });
    netsuite.admin.configure({ faults: { errorRate: 0 }, burst429: 0 });

    const memos = [...zuora.state.creditMemos.values()].filter(
      (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
    );
    const notYes = memos.filter((m) => m.transferredToAccounting !== 'Yes').length;
    const counters = zuora.admin.counters();
    const duplicateAdjustments = Object.values(counters.adjustmentsPerReferenceId).filter((c) => c > 1).length;
    const duplicatePayments = Object.values(counters.paymentsPerIdempotencyKey).filter((c) => c > 1).length;
    let running = 0;
    for await (const _ of world.client.workflow.list({ query: `ExecutionStatus = 'Running'` })) running++;
    const identical = normalized(chaotic) === normalized(baseline);

    console.log(`N=${n} kills=${kills} seed=${numberArg('seed', 42)}`);
    for (const e of events) console.log(`  ${e}`);
    console.log(`baseline_seconds=${baselineSeconds.toFixed(1)} chaos_seconds=${chaosSeconds.toFixed(1)}`);
    console.log(`injected: zuora_5xx=${counters.limits.injectedErrors} zuora_429=${counters.limits.burst429Sent}`);
    console.log(`migrated_memos=${memos.length} not_yes=${notYes}`);
    console.log(`duplicate_adjustments=${duplicateAdjustments} duplicate_payments=${duplicatePayments}`);
    console.log(`final_status_identical_to_fault_free=${identical}`);
    console.log(`workflows_left_running=${running}`);
    held =
      memos.length >= n &&
      notYes === 0 &&
      duplicateAdjustments === 0 &&
      duplicatePayments === 0 &&
      identical &&
      running === 0;
  } finally {
    world.worker?.kill('SIGTERM');
    await connection.close().catch(() => undefined);
    await zuora.stop();
    await netsuite.stop();
    await world.server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`invariants_held=${held}`);
}

main().catch((err) => {
  console.error(err);
  console.log('invariants_held=false');
  process.exit(1);
});

// The worker killed (SIGKILL) while the upgrade waits on a person and again in the middle of the credit memo
// migration, and started again: the upgrade finishes exactly as a run without faults does (timestamps aside).
import type { WorkflowHandle } from '@temporalio/client';
import { deleteSyncSchedule, ensureSyncSchedule } from '../../src/temporal/schedules';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import {
  approveStepUpdate,
  completeStepUpdate,
  invoiceSettlementEnabledUpdate,
  provisioningIdsReceivedUpdate,
  type StepId,
  type UpgradeStatus,
} from '../../src/shared/upgrade';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import type { Spawned } from '../helpers/process';
import { uniqueTaskQueue } from '../helpers/temporal';
import { answerFinalCreditMemoSync, waitForStep } from '../helpers/upgrade-driver';
import { useWorkflowSuite } from '../helpers/suite';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

const suite = useWorkflowSuite({ worker: false }); // the worker runs as its own process, to be killed
let worker: Spawned | undefined;

afterAll(() => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
});

const MIGRATED = 3_000;
// Its own tenant (is-upgrade-restart, its schedules and sync runs): other files drive upgrades on this shared server
// at the same time.
const TENANT = 'restart';
const ana = 'ana@example.com';

function seed() {
  suite.stack.zuoraEmulator.admin.reset();
  suite.stack.netsuiteEmulator.admin.reset();
  suite.stack.netsuiteEmulator.admin.seed({ demo: true });
  suite.stack.zuoraEmulator.admin.seed({ demo: true, migratedCreditMemos: MIGRATED });
  mirrorNetSuiteIntoZuora(suite.stack.netsuiteEmulator, suite.stack.zuoraEmulator.state);
  const s = suite.stack.zuoraEmulator.state;
  for (const r of [...s.invoiceItemAdjustments.values(), ...s.invoices.values()])
    r.IntegrationStatus__NS = 'Sync Complete';
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 100 });
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Timestamps, report paths and run ids differ between runs by nature; everything else must not. */
function normalized(s: UpgradeStatus): unknown {
  return JSON.parse(
    JSON.stringify(s)
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
      .replace(/"\/[^"]*\/(reports)\/[^"]*"/g, '"<report>"')
      // The manifest records times and run ids: its checksum differs run to run (its content is checked elsewhere).
      .replace(/"sha256":"[0-9a-f]{64}"/g, '"sha256":"<sha256>"'),
  );
}

/** One whole upgrade, as the operator drives it; `faults` runs at the two moments the kills happen. */
async function upgrade(
  taskQueue: string,
  faults: { waitingOnPerson?: () => Promise<void>; midMigration?: () => Promise<void> },
) {
  seed();
  await ensureSyncSchedule(suite.env.client, {
    kind: 'credit-memo',
    tenantId: TENANT,
    input: { tenantId: TENANT, standard: true, negativeBalance: true },
    taskQueue,
  });
  const handle: WorkflowHandle = await suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue,
    workflowId: `is-upgrade-${TENANT}`,
    args: [
      {
        tenantId: TENANT,
        oldConnectorInstanceId: 'old-instance-1',
        // No canary: its second approval is test/upgrade/canary-revert.test.ts's; here one approval starts it all.
        options: { tenantConcurrencyLimit: 5, migrationHeartbeatTimeoutSeconds: 2, migrationCanaryMemos: 0 },
      },
    ],
  });
  const complete = async (stepId: StepId, data?: Record<string, string>) => {
    await waitForStep(handle, stepId, 'waiting');
    await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId, ...(data ? { data } : {}) }] });
  };

  await answerFinalCreditMemoSync(handle, ana);
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
  await faults.waitingOnPerson?.();
  await complete('prepare.freeze-negative-invoices');
  await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  await handle.executeUpdate(invoiceSettlementEnabledUpdate, { args: [{ by: ana }] });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  suite.stack.zuoraEmulator.admin.resetCounters();
  await handle.executeUpdate(approveStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] });
  await faults.midMigration?.();
  await complete('connector.oauth-client', { oauthClientId: 'oauth-client-42' });
  await complete('connector.new-instance', { newInstanceId: 'new-instance-2' });
  await complete('connector.instance-credentials');
  await complete('connector.support-ticket', { ticketId: 'T-1' });
  await waitForStep(handle, 'connector.provisioning-ids', 'waiting');
  await handle.executeUpdate(provisioningIdsReceivedUpdate, {
    args: [{ by: 'zuora-support', accountId: 'acc-7781', environmentId: 'env-5521' }],
  });
  for (const id of [
    'connector.sync-preferences',
    'connector.retire-old',
    'payments.zuora-sync-updates-default',
  ] as const) {
    await complete(id);
  }
  const status: UpgradeStatus = await handle.result();
  await deleteSyncSchedule(suite.env.client, 'payment', TENANT);
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
  return { status, writes: suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo };
}

test('killed while waiting on a person and mid-migration, the upgrade finishes identically', async () => {
  // Both runs on one task queue: the worker that ran the fault-free upgrade is the first one killed (a worker
  // process start costs seconds; a fresh one for the second run would add nothing the kills do not).
  const queue = uniqueTaskQueue('restart');
  const environment = workerEnv(suite.stack, queue, { TENANT_ID: TENANT });
  worker = await startWorkerProcess(environment);
  const baseline = await upgrade(queue, {});

  const kill = async () => {
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    worker = await startWorkerProcess(environment);
  };
  const faulty = await upgrade(queue, {
    waitingOnPerson: kill,
    midMigration: async () => {
      await waitUntil(
        () => Object.keys(suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo).length >= MIGRATED / 3,
        'a third of the memos written',
      );
      await kill();
    },
  });

  expect(normalized(faulty.status)).toEqual(normalized(baseline.status));
  expect(faulty.status.migration.result).toMatchObject({ verified: true, remaining: 0 });
  // Every migrated memo written, none twice.
  expect(Object.keys(faulty.writes).length).toBeGreaterThanOrEqual(MIGRATED);
  expect(Math.max(...Object.values(faulty.writes))).toBe(1);
});

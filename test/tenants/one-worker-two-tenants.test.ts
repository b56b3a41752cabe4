// One worker process serves every tenant of its registry on one task queue (issue 15, point 1): the activities it
// runs use the clients of the tenant their input names. Built as the worker builds them (src/wiring.ts from the
// environment's TENANT_REGISTRY), against two Zuora emulators with different credentials, so a tenant's request
// made with the other tenant's client would be refused or land in the other tenant's books.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../../emulators/netsuite/server';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../../emulators/zuora/server';
import { loadConfig } from '../../src/config';
import { FailureType } from '../../src/shared/failures';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { readTenantRegistry } from '../../src/tenants/load';
import { buildDependencies, type Dependencies } from '../../src/wiring';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { devServerEnv, testWorker, uniqueTaskQueue } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let zuora: Record<'acme' | 'beta', RunningZuoraEmulator>;
let netsuite: RunningNetSuiteEmulator;
let deps: Dependencies;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

function entry(id: string, z: RunningZuoraEmulator) {
  const c = z.admin.config();
  return {
    id,
    zuora: { baseUrl: z.url, clientId: c.clientId, clientSecret: c.clientSecret, concurrencyLimit: 20 },
    netsuite: { ...netsuite.credentials, concurrencyLimit: 5 },
  };
}

beforeAll(async () => {
  env = await devServerEnv();
  zuora = {
    acme: await startZuoraEmulator({ clientId: 'a0000000-0000-4000-8000-00000000acme', clientSecret: 'acme-secret' }),
    beta: await startZuoraEmulator({ clientId: 'b0000000-0000-4000-8000-00000000beta', clientSecret: 'beta-secret' }),
  };
  netsuite = await startNetSuiteEmulator({});
  const dir = mkdtempSync(join(tmpdir(), 'two-tenants-'));
  const registry = join(dir, 'tenants.json');
  writeFileSync(registry, JSON.stringify([entry('acme', zuora.acme), entry('beta', zuora.beta)]));
  taskQueue = uniqueTaskQueue('two-tenants');
  // The worker's queue is the configured one, as in main.ts: the tenant budget's leases run there too.
  const config = loadConfig({
    TENANT_REGISTRY: registry,
    TEMPORAL_ADDRESS: 'x:7233',
    DATA_DIR: dir,
    TASK_QUEUE: taskQueue,
  });
  deps = await buildDependencies(config, readTenantRegistry(config.tenantRegistry!));
  ({ worker } = await testWorker(env, deps.createActivities(env.client), taskQueue));
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await Promise.all([zuora?.acme.stop(), zuora?.beta.stop(), netsuite?.stop()]);
  await env?.teardown();
});

const notYes = (z: RunningZuoraEmulator) =>
  [...z.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE && m.transferredToAccounting !== 'Yes',
  ).length;

test("one worker migrates two tenants' credit memos at once, each in its own Zuora", async () => {
  zuora.acme.admin.seed({ migratedCreditMemos: 300 });
  zuora.beta.admin.seed({ migratedCreditMemos: 200 });
  const run = (tenantId: string) =>
    env.client.workflow.execute(migrateCreditMemos, {
      taskQueue,
      workflowId: `migrate-${tenantId}-${randomUUID()}`,
      args: [{ tenantId, chunkRows: 200 }],
    });
  const [acme, beta] = await Promise.all([run('acme'), run('beta')]);
  expect(acme).toMatchObject({ verified: true, remaining: 0, counters: { totalFound: 300, updated: 300 } });
  expect(beta).toMatchObject({ verified: true, remaining: 0, counters: { totalFound: 200, updated: 200 } });
  expect([notYes(zuora.acme), notYes(zuora.beta)]).toEqual([0, 0]);
  expect(Object.keys(zuora.acme.admin.counters().writesPerCreditMemo)).toHaveLength(300);
  expect(Object.keys(zuora.beta.admin.counters().writesPerCreditMemo)).toHaveLength(200);
  // Each tenant's clients (and gates) were built for it, on its first activity.
  expect(deps.tenants.built).toBe(2);
  expect(deps.tenants.get('acme')!.zuoraGate).not.toBe(deps.tenants.get('beta')!.zuoraGate);
});

test('a tenant the registry lacks fails retryably, naming the tenant and the registry; once added, the retry runs', async () => {
  const handle = await env.client.workflow.start(migrateCreditMemos, {
    taskQueue,
    workflowId: `migrate-gamma-${randomUUID()}`,
    args: [{ tenantId: 'gamma', chunkRows: 200 }],
  });
  let failure:
    | {
        message?: string | null;
        applicationFailureInfo?: { type?: string | null; nonRetryable?: boolean | null } | null;
      }
    | null
    | undefined;
  while (!failure) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    failure = pending[0]?.lastFailure;
    if (!failure) await new Promise((r) => setTimeout(r, 100)); // polled until the first attempt has failed
  }
  expect(failure.message).toMatch(
    /^Tenant "gamma" is not in this worker's tenant registry \(TENANT_REGISTRY=.*tenants\.json\)/,
  );
  expect(failure.applicationFailureInfo).toMatchObject({ type: FailureType.UnknownTenant, nonRetryable: false });
  // The registry change reaches this worker (a reload): the next attempt finds the tenant.
  zuora.beta.admin.seed({ migratedCreditMemos: 50 });
  deps.tenants.replace([
    ...readTenantRegistryOf(['acme', 'beta']),
    { ...readTenantRegistryOf(['beta'])[0]!, id: 'gamma' },
  ]);
  await expect(handle.result()).resolves.toMatchObject({ verified: true, remaining: 0 });
  expect(notYes(zuora.beta)).toBe(0);
});

/** The tenants as the registry holds them now (their parsed settings). */
function readTenantRegistryOf(ids: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'two-tenants-reload-'));
  const file = join(dir, 'tenants.json');
  writeFileSync(file, JSON.stringify(ids.map((id) => entry(id, zuora[id as 'acme' | 'beta']))));
  return readTenantRegistry({ file });
}

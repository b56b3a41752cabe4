// The tenant budget across worker processes (issue 15 §2, docs/tenant-budget.md), on the real Temporal server and
// the Zuora emulator. Three worker processes (node dist/src/main.js, each with its own process-wide gate at the
// budget) serve one tenant on one task queue; three migrations of that tenant run at once, so their chunks land on
// different processes. Zuora's concurrency limit is per tenant (docs/zuora.md §6): what the emulator measured in
// flight stays within our budget (80% of the limit) and it answered no 429.
// Leases off, to see it fail without them: TENANT_LEASES=off npx jest test/tenant-budget/tenant-budget.test.ts
import { randomUUID } from 'node:crypto';
import { tenantBudgetViewQuery, tenantBudgetWorkflowId } from '../../src/shared/tenant-budget';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { budgetOf } from '../../src/wiring';
import { recordHistory } from '../helpers/histories';
import type { Spawned } from '../helpers/process';
import { useWorkflowSuite } from '../helpers/suite';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

const LIMIT = 10;
const BUDGET = budgetOf(LIMIT); // 8
const PROCESSES = 3;
const LEASES = process.env.TENANT_LEASES === 'off' ? 'off' : 'on';

const suite = useWorkflowSuite({ worker: false }); // the workers run as processes
const workers: Spawned[] = [];
let taskQueue = '';

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await suite.env?.client.workflow
    .getHandle(tenantBudgetWorkflowId('demo', taskQueue))
    .terminate('test over')
    .catch(() => undefined);
});

it('three Zuora-heavy activities of one tenant on three worker processes stay within its budget: no 429', async () => {
  const { stack, env } = suite;
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 2_000, seed: 15 });
  stack.zuoraEmulator.admin.configure({ concurrencyLimit: LIMIT, latencyMs: 100 });
  taskQueue = uniqueTaskQueue('tenant-budget');
  const env1 = workerEnv(stack, taskQueue, { ZUORA_CONCURRENCY_LIMIT: String(LIMIT), TENANT_LEASES: LEASES });
  workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => startWorkerProcess(env1)))));
  stack.zuoraEmulator.admin.resetCounters();

  const results = await Promise.all(
    [0, 1, 2].map((i) =>
      env.client.workflow.execute(migrateCreditMemos, {
        taskQueue,
        workflowId: `tenant-budget-migration-${i}-${randomUUID()}`,
        args: [{ tenantId: 'demo', tenantConcurrencyLimit: LIMIT, concurrencyBudget: BUDGET }],
      }),
    ),
  );
  const limits = stack.zuoraEmulator.admin.counters().limits;
  process.stdout.write(
    `\ntenant budget, ${PROCESSES} worker processes, limit ${LIMIT}, budget ${BUDGET}, leases ${LEASES}: peak in ` +
      `flight at Zuora ${limits.maxConcurrentObserved}, 429s ${limits.sent429}, requests ${limits.requests}\n`,
  );
  expect(results.map((r) => r.verified)).toEqual([true, true, true]);
  expect(limits.sent429).toBe(0);
  expect(limits.maxConcurrentObserved).toBeLessThanOrEqual(BUDGET);
  // The chunks and queries of the three migrations held leases of the tenant's one budget workflow, all released.
  const view = await env.client.workflow
    .getHandle(tenantBudgetWorkflowId('demo', taskQueue))
    .query(tenantBudgetViewQuery);
  expect(view).toMatchObject({ tenantId: 'demo', holders: {} });
  expect(view.arrivals).toBeGreaterThanOrEqual(6); // at least a query and a chunk per migration
  await recordHistory({ workflowId: tenantBudgetWorkflowId('demo', taskQueue) }, 'tenant-budget-leases');
});

// A migration survives its worker being SIGKILLed three times: every memo ends Yes, and the emulator's write
// counters show no more re-writes than the batches in flight at each kill.
import { randomUUID } from 'node:crypto';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import type { Spawned } from '../helpers/process';
import { uniqueTaskQueue } from '../helpers/temporal';
import { useWorkflowSuite } from '../helpers/suite';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

const suite = useWorkflowSuite({ worker: false }); // the worker runs as its own process, to be killed
let worker: Spawned | undefined;

afterAll(() => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
});

const N = 20_000;
const BUDGET = 8;

function written(): number {
  return Object.keys(suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo).length;
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGKILL three times during a 20,000-memo run: every memo Yes, re-writes bounded by batches in flight', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: N });
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 150 });
  const taskQueue = uniqueTaskQueue('kill');
  const workerEnvironment = workerEnv(suite.stack, taskQueue);
  worker = await startWorkerProcess(workerEnvironment);

  const handle = await suite.env.client.workflow.start(migrateCreditMemos, {
    taskQueue,
    workflowId: `migrate-kill-${randomUUID()}`,
    args: [
      {
        tenantId: 'demo',
        tenantConcurrencyLimit: 10,
        concurrencyBudget: BUDGET,
        chunkRows: 6_000,
        heartbeatTimeoutSeconds: 2,
      },
    ],
  });

  const kills: number[] = [];
  for (const at of [0.15, 0.45, 0.75]) {
    await waitUntil(() => written() >= at * N, `${at * 100}% of memos written`);
    worker.child.kill('SIGKILL');
    await worker.exited;
    kills.push(written());
    worker = await startWorkerProcess(workerEnvironment);
  }

  const result = await handle.result();
  expect(result).toMatchObject({ verified: true, remaining: 0 });
  const memos = [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
  expect(memos).toHaveLength(N);
  expect(memos.filter((m) => m.transferredToAccounting !== 'Yes')).toEqual([]);
  const writes = Object.values(suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo);
  const rewrites = writes.reduce((sum, w) => sum + (w - 1), 0);
  expect(writes).toHaveLength(N);
  // At most the batches in flight at each kill (the budget), 50 memos each.
  expect(rewrites).toBeLessThanOrEqual(kills.length * BUDGET * 50);
  expect(kills).toHaveLength(3);
  expect(result.counters.resumes).toBeGreaterThanOrEqual(1);
});

// A migration survives its worker being SIGKILLed three times: every memo ends Yes, and the emulator's write
// counters show no more re-writes than the batches in flight at each kill.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import type { Spawned } from '../helpers/process';
import { startStack, type Stack } from '../helpers/stack';
import { devServerEnv, uniqueTaskQueue } from '../helpers/temporal';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

let env: TestWorkflowEnvironment;
let stack: Stack;
let worker: Spawned | undefined;

beforeAll(async () => {
  env = await devServerEnv();
  stack = await startStack();
});

afterAll(async () => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await stack?.stop();
  await env?.teardown();
});

const N = 20_000;
const BUDGET = 8;

function written(): number {
  return Object.keys(stack.zuoraEmulator.admin.counters().writesPerCreditMemo).length;
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGKILL three times during a 20,000-memo run: every memo Yes, re-writes bounded by batches in flight', async () => {
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: N });
  stack.zuoraEmulator.admin.configure({ latencyMs: 150 });
  const taskQueue = uniqueTaskQueue('kill');
  const workerEnvironment = workerEnv(stack, taskQueue);
  worker = await startWorkerProcess(workerEnvironment);

  const handle = await env.client.workflow.start(migrateCreditMemos, {
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
  const memos = [...stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
  expect(memos).toHaveLength(N);
  expect(memos.filter((m) => m.transferredToAccounting !== 'Yes')).toEqual([]);
  const writes = Object.values(stack.zuoraEmulator.admin.counters().writesPerCreditMemo);
  const rewrites = writes.reduce((sum, w) => sum + (w - 1), 0);
  expect(writes).toHaveLength(N);
  // At most the batches in flight at each kill (the budget), 50 memos each.
  expect(rewrites).toBeLessThanOrEqual(kills.length * BUDGET * 50);
  expect(kills).toHaveLength(3);
  expect(result.counters.resumes).toBeGreaterThanOrEqual(1);
});

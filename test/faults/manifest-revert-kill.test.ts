// Issue 14 point 3 on the real dev server, with the worker SIGKILLed mid-chunk: the migration's manifest names every
// memo the bulk update changed — with the value it held before — and no other, one line each, with a sha256 that
// matches; refused memos are in it marked unchanged. The revert, killed mid-chunk too, sets back exactly those memos
// (each written once), leaves a memo someone changed since, and leaves an empty before-value at Yes (Zuora's update
// takes no empty value: docs/zuora.md §3). The dry run and a second revert: test/upgrade/canary-revert.test.ts.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { manifestEntrySchema, type RevertInput } from '../../src/shared/manifest';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { revertCreditMemoMigration } from '../../src/workflows/revert-credit-memo-migration';
import type { Spawned } from '../helpers/process';
import { uniqueTaskQueue } from '../helpers/temporal';
import { useWorkflowSuite } from '../helpers/suite';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

// Its own tenant: the revert asks the upgrade is-upgrade-<tenant> whether its connector steps have started, and
// other files run upgrades of `demo` on the same server.
const TENANT = 'manifestkill';
const suite = useWorkflowSuite({ worker: false });
let worker: Spawned | undefined;

afterAll(() => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
});

const N = 400;

const migrated = () =>
  [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
const writes = () => ({ ...suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo });

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function killAndRestart(env: NodeJS.ProcessEnv): Promise<void> {
  worker!.child.kill('SIGKILL');
  await worker!.exited;
  worker = await startWorkerProcess(env);
}

test('manifest complete after refusals and a kill; revert killed mid-chunk sets back exactly those, once', async () => {
  suite.stack.zuoraEmulator.admin.seed({
    migratedCreditMemos: N,
    cancelledShare: 0.05,
    migratedTransferredToAccounting: 'mixed',
  });
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 60, jitterMs: 0 });
  const before = new Map(migrated().map((m) => [m.id, m.transferredToAccounting]));
  const cancelled = new Set(
    migrated()
      .filter((m) => m.status === 'Cancelled')
      .map((m) => m.id),
  );
  // What the migration must change: every memo not already Yes (null included: SQL null semantics) and not refused.
  const toChange = [...before].filter(([id, v]) => v !== 'Yes' && !cancelled.has(id)).map(([id]) => id);
  expect(cancelled.size).toBeGreaterThan(0);

  const taskQueue = uniqueTaskQueue('manifest-kill');
  const env = workerEnv(suite.stack, taskQueue, { TENANT_ID: TENANT });
  worker = await startWorkerProcess(env);
  const migrationId = `migrate-manifest-${randomUUID()}`;
  const handle = await suite.env.client.workflow.start(migrateCreditMemos, {
    taskQueue,
    workflowId: migrationId,
    // No breaker: 5 % of the memos are refused at random, and a cluster of them in the first 100 would pause the
    // migration for an operator this test does not play (the breaker has its own tests: test/migration/brake.test.ts).
    args: [
      {
        tenantId: TENANT,
        tenantConcurrencyLimit: 2,
        concurrencyBudget: 2,
        heartbeatTimeoutSeconds: 5, // 2 s timed out attempts over and over on a loaded CI machine
        breaker: { enabled: false },
      },
    ],
  });
  await waitUntil(() => Object.keys(writes()).length >= 0.4 * toChange.length, '40% of the memos written');
  await killAndRestart(env);
  const writtenAtKill = Object.keys(writes()).length;
  const result = await handle.result();
  expect(writtenAtKill).toBeLessThan(toChange.length); // the kill landed mid-chunk
  expect(result).toMatchObject({ verified: false, stoppedBecause: 'no-progress' }); // the cancelled memos stay
  expect(result.counters.resumes).toBeGreaterThanOrEqual(1);

  // The manifest: one line per memo written or tried; the changed ones are exactly those Zuora took, with the value
  // each held before; the cancelled ones are there, unchanged.
  const m = result.reports.manifest!;
  const text = readFileSync(m.location, 'utf8');
  const entries = text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => manifestEntrySchema.parse(JSON.parse(l)));
  expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  const changed = entries.filter((e) => e.changed);
  expect(changed.map((e) => e.id).sort()).toEqual([...toChange].sort());
  expect(Object.keys(writes()).sort()).toEqual([...toChange].sort());
  for (const e of changed) expect(e.before).toBe(before.get(e.id));
  const refused = [...cancelled].filter((id) => before.get(id) !== 'Yes');
  expect(
    entries
      .filter((e) => !e.changed)
      .map((e) => e.id)
      .sort(),
  ).toEqual(refused.sort());
  expect(m).toMatchObject({ changed: toChange.length, memos: toChange.length + refused.length });
  const sha = createHash('sha256').update(text).digest('hex');
  expect(m.sha256).toBe(sha);
  expect(readFileSync(`${m.location}.sha256`, 'utf8')).toBe(`${sha}  ${basename(m.location)}\n`);

  // Someone sets one migrated memo to Error after the migration: the revert must leave it.
  const touched = changed.find((e) => e.before === 'No')!;
  suite.stack.zuoraEmulator.state.creditMemos.get(touched.id)!.transferredToAccounting = 'Error';
  const restorable = changed.filter((e) => e.before !== null && e.id !== touched.id);
  const emptyBefore = changed.filter((e) => e.before === null);

  const revert = (dryRun: boolean, id: string) =>
    suite.env.client.workflow.start(revertCreditMemoMigration, {
      taskQueue,
      workflowId: id,
      args: [
        {
          tenantId: TENANT,
          by: 'ana@example.com',
          dryRun,
          manifestKey: migrationId,
          concurrencyBudget: 4,
          chunkRows: 400,
          heartbeatTimeoutSeconds: 5, // 2 s timed out attempts over and over on a loaded CI machine
        } satisfies RevertInput,
      ],
    });
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 10, jitterMs: 0 });
  const writesBefore = writes();
  const setBack = () =>
    restorable.filter(
      (e) => suite.stack.zuoraEmulator.state.creditMemos.get(e.id)!.transferredToAccounting === e.before,
    ).length;
  const run = await revert(false, `revert-${randomUUID()}`);
  await waitUntil(() => setBack() >= 0.3 * restorable.length, '30% set back');
  await killAndRestart(env);
  const setBackAtKill = setBack();
  const done = await run.result();
  expect(setBackAtKill).toBeLessThan(restorable.length); // the kill landed mid-revert
  expect(done.counts).toMatchObject({
    'set-back': restorable.length,
    'not-restorable': emptyBefore.length,
    'changed-since': 1,
    already: 0,
    refused: 0,
  });
  const memos = suite.stack.zuoraEmulator.state.creditMemos;
  for (const e of restorable) expect(memos.get(e.id)!.transferredToAccounting).toBe(e.before);
  for (const e of emptyBefore) expect(memos.get(e.id)!.transferredToAccounting).toBe('Yes');
  expect(memos.get(touched.id)!.transferredToAccounting).toBe('Error');
  // Exactly the restorable memos written, each once, despite the kill.
  const after = writes();
  const delta = Object.entries(after)
    .map(([id, w]) => [id, w - (writesBefore[id] ?? 0)] as const)
    .filter(([, d]) => d > 0);
  expect(delta.map(([id]) => id).sort()).toEqual(restorable.map((e) => e.id).sort());
  expect(Math.max(...delta.map(([, d]) => d))).toBe(1);
  const report = readFileSync(done.report!, 'utf8').trim().split('\n');
  expect(report).toHaveLength(changed.length);
  // Two worker kills, each waited out (heartbeat timeout, sticky queue): slow on a loaded 2-core machine.
}, 300_000);

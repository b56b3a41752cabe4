// migrateCreditMemos on the real Temporal dev server, against the Zuora emulator through the real client.
import { randomUUID } from 'node:crypto';
import {
  MIGRATED_CREDIT_MEMO_REASON_CODE,
  progressQuery,
  type MigrateCreditMemosResult,
} from '../../src/shared/migration';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';

const suite = useWorkflowSuite({ queue: 'migration' });

beforeEach(() => {
  suite.stack.zuoraEmulator.admin.reset();
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 0, jitterMs: 0, faults: { errorRate: 0 }, burst429: 0 });
});

/** Migrated memos in the emulator that are not Transferred To Accounting = Yes. */
function notYes(): string[] {
  return [...suite.stack.zuoraEmulator.state.creditMemos.values()]
    .filter((m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE && m.transferredToAccounting !== 'Yes')
    .map((m) => m.id);
}

async function run(args: Parameters<typeof migrateCreditMemos>[0]): Promise<MigrateCreditMemosResult> {
  return suite.env.client.workflow.execute(migrateCreditMemos, {
    taskQueue: suite.taskQueue,
    workflowId: `migrate-${randomUUID()}`,
    args: [args],
  });
}

test('dry run counts and samples what would change and writes nothing', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 300, otherCreditMemos: 50 });
  const result = await run({ tenantId: 'demo', dryRun: true, sampleSize: 7 });
  expect(result).toMatchObject({ dryRun: true, stoppedBecause: 'dry-run', remaining: 300, verified: false });
  expect(result.counters.updated).toBe(0);
  expect(suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo).toEqual({});
  const sample = suite.stack.reports.readJsonLines(result.reports.dryRunSample!);
  expect(sample).toHaveLength(7);
  expect(sample[0]).toMatchObject({ change: { transferredToAccounting: { to: 'Yes' } } });
  expect(notYes()).toHaveLength(300);
});

test('updates every migrated memo once, leaves other memos alone, and verifies with a fresh query', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 2_345, otherCreditMemos: 100, lockedShare: 0.05 });
  const others = [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode !== MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
  const result = await run({ tenantId: 'demo', chunkRows: 1_000 });
  expect(result).toMatchObject({ verified: true, remaining: 0, stoppedBecause: 'verified' });
  expect(result.counters).toMatchObject({ totalFound: 2_345, updated: 2_345, failed: 0, passes: 1 });
  expect(notYes()).toEqual([]);
  const writes = suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo;
  expect(Object.keys(writes)).toHaveLength(2_345);
  expect(Math.max(...Object.values(writes))).toBe(1);
  for (const m of others) expect(writes[m.id]).toBeUndefined();
});

test('every memo the seed filter finds ends Yes whatever it held (null, No, Processing, Error, Ignore), verified by count', async () => {
  suite.stack.zuoraEmulator.admin.seed({
    migratedCreditMemos: 400,
    otherCreditMemos: 40,
    migratedTransferredToAccounting: 'mixed',
  });
  const memos = [...suite.stack.zuoraEmulator.state.creditMemos.values()];
  const migrated = memos.filter((m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE);
  const before = new Set(migrated.map((m) => m.transferredToAccounting));
  // The tenant holds every value the field can take, null included, and some memos are already Yes.
  for (const v of [null, 'No', 'Processing', 'Error', 'Ignore', 'Yes'] as const) expect(before.has(v)).toBe(true);
  const alreadyYes = migrated.filter((m) => m.transferredToAccounting === 'Yes').map((m) => m.id);
  const others = memos.filter((m) => m.reasonCode !== MIGRATED_CREDIT_MEMO_REASON_CODE);
  const othersBefore = others.map((m) => [m.id, m.transferredToAccounting]);

  const dry = await run({ tenantId: 'demo', dryRun: true });
  expect(dry.remaining).toBe(400 - alreadyYes.length);
  expect(dry.byTransferredToAccounting).toEqual(
    expect.arrayContaining([
      { transferredToAccounting: null, memos: migrated.filter((m) => m.transferredToAccounting === null).length },
      { transferredToAccounting: 'Yes', memos: alreadyYes.length },
    ]),
  );

  const result = await run({ tenantId: 'demo' });
  expect(notYes()).toEqual([]);
  expect(result).toMatchObject({ verified: true, remaining: 0, stoppedBecause: 'verified' });
  expect(result.byTransferredToAccounting).toEqual([{ transferredToAccounting: 'Yes', memos: 400 }]);
  expect(result.counters).toMatchObject({ totalFound: 400 - alreadyYes.length, updated: 400 - alreadyYes.length });
  const writes = suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo;
  expect(Object.keys(writes)).toHaveLength(400 - alreadyYes.length);
  for (const id of alreadyYes) expect(writes[id]).toBeUndefined();
  expect(others.map((m) => [m.id, m.transferredToAccounting])).toEqual(othersBefore);
});

test('memos Zuora refuses are reported with their codes; the rest finish', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 1_000, cancelledShare: 0.02 });
  const cancelled = notYes().filter(
    (id) => suite.stack.zuoraEmulator.state.creditMemos.get(id)!.status === 'Cancelled',
  );
  expect(cancelled.length).toBeGreaterThan(0);
  const workflowId = `migrate-${randomUUID()}`;
  const result = await suite.env.client.workflow.execute(migrateCreditMemos, {
    taskQueue: suite.taskQueue,
    workflowId,
    args: [{ tenantId: 'demo' }],
  });
  expect(result.stoppedBecause).toBe('no-progress');
  expect(result.verified).toBe(false);
  expect(result.remaining).toBe(cancelled.length);
  expect(result.counters.updated).toBe(1_000 - cancelled.length);
  expect(notYes().sort()).toEqual([...cancelled].sort());
  // One line per refused memo, though each was refused in the first pass and again in the no-progress pass.
  const report = suite.stack.reports.readJsonLines(result.reports.failures!);
  expect(report.map((r) => r.id).sort()).toEqual([...cancelled].sort());
  expect(report[0]).toEqual(
    expect.objectContaining({
      code: expect.stringMatching(/30$/),
      message: expect.any(String),
      number: expect.any(String),
      refusedInPasses: 2,
    }),
  );

  // The manifest is consolidated alongside each verification query (scheduled in the same workflow task): the one
  // after pass 1 is dropped for pass 2, whose own covers both passes — each refused memo tried twice, unchanged.
  const scheduled = ((await suite.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => {
      const a = e.activityTaskScheduledEventAttributes!;
      return [a.activityType!.name, Number(a.workflowTaskCompletedEventId)] as const;
    });
  const queries = scheduled.filter(([type]) => type === 'queryRemainingCreditMemos');
  const consolidations = scheduled.filter(([type]) => type === 'consolidateManifest');
  expect(queries).toHaveLength(3);
  expect(consolidations.map(([, task]) => task)).toEqual(queries.slice(1).map(([, task]) => task));
  expect(consolidations.every(([, task]) => task > 0)).toBe(true);
  const manifest = suite.stack.reports.readJsonLines(result.reports.manifest!.location);
  expect(manifest).toHaveLength(1_000);
  const refused = manifest.filter((e) => !e.changed);
  expect(refused.map((e) => e.id).sort()).toEqual([...cancelled].sort());
  for (const e of refused) expect(e).toMatchObject({ outcome: 'refused', writes: 2, pass: 2 });
});

test('10% injected 503s and a burst of 429s: same end state, retries bounded and visible', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 1_500 });
  // Every 429 in a row pauses the tenant for its Retry-After (1 s): a burst of 5 is met and waited out like one of 20.
  const burst429 = 5;
  suite.stack.zuoraEmulator.admin.configure({ faults: { errorRate: 0.1 }, burst429, retryAfterSeconds: 1 });
  const result = await run({ tenantId: 'demo', chunkRows: 500 });
  expect(result).toMatchObject({ verified: true, remaining: 0 });
  expect(result.counters.updated).toBe(1_500);
  expect(result.counters.retries).toBeGreaterThan(0);
  expect(suite.stack.zuoraEmulator.admin.counters().limits.burst429Sent).toBe(burst429);
  expect(notYes()).toEqual([]);
});

test('progress query and continue-as-new keep counters across runs', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 1_000 });
  suite.stack.zuoraEmulator.admin.configure({ latencyMs: 20 });
  const handle = await suite.env.client.workflow.start(migrateCreditMemos, {
    taskQueue: suite.taskQueue,
    workflowId: `migrate-${randomUUID()}`,
    args: [{ tenantId: 'demo', chunkRows: 50, continueAsNewAfterEvents: 60 }],
  });
  const result = await handle.result();
  expect(result).toMatchObject({ verified: true, remaining: 0 });
  expect(result.counters).toMatchObject({ totalFound: 1_000, updated: 1_000, passes: 1 });
  const latest = await suite.env.client.workflow.getHandle(handle.workflowId).describe();
  expect(latest.runId).not.toBe(handle.firstExecutionRunId);
  const progress = await suite.env.client.workflow.getHandle(handle.workflowId).query(progressQuery);
  expect(progress).toMatchObject({ phase: 'done', updated: 1_000, failed: 0 });
  expect(latest.historyLength).toBeLessThan(200);
  await recordHistory(handle, 'migrate-first-run-continued-as-new', handle.firstExecutionRunId);
  await recordHistory(suite.env.client.workflow.getHandle(handle.workflowId), 'migrate-last-run-after-continue-as-new');
});

test('bad input fails at once with a message naming the field', async () => {
  await expect(run({ tenantId: 'no spaces allowed' })).rejects.toMatchObject({
    cause: { message: expect.stringMatching(/tenantId: tenantId must be 1-63 letters/) },
  });
});

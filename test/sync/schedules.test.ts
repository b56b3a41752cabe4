// The sync schedules against the real Temporal dev server: created (30-minute default, overlap SKIP), idempotent,
// paused, unpaused, triggered (a real run on a real worker), backfilled, described and deleted.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  backfillSyncSchedule,
  deleteSyncSchedule,
  describeSyncSchedule,
  ensureSyncSchedule,
  pauseSyncSchedule,
  triggerSyncSchedule,
  unpauseSyncSchedule,
} from '../../src/temporal/schedules';
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { IS_TENANT_ID } from '../../src/shared/search-attributes';
import type { SyncResult } from '../../src/shared/sync';
import { devServerEnv } from '../helpers/temporal';
import { F, startHarness, type Harness } from './harness';

let env: TestWorkflowEnvironment;
let client: Client;
let h: Harness;
let demo: DemoTenant;

beforeAll(async () => {
  env = await devServerEnv();
  client = env.client;
  h = await startHarness(env);
  demo = h.seedDemo();
});
afterAll(async () => {
  await deleteSyncSchedule(client, 'credit-memo', h.tenantId);
  await deleteSyncSchedule(client, 'payment', h.tenantId);
  await h?.stop();
  await env?.teardown();
});

/** Polls the schedule's description until `ready` holds for it (no fixed waits). */
async function describeUntil(
  kind: 'credit-memo' | 'payment',
  ready: (d: NonNullable<Awaited<ReturnType<typeof describeSyncSchedule>>>) => boolean,
) {
  for (;;) {
    const d = await describeSyncSchedule(client, kind, h.tenantId);
    if (d && ready(d)) return d;
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling the condition
  }
}

test('create with the defaults, idempotently; describe shows interval, overlap SKIP and the sync input', async () => {
  const input = { tenantId: h.tenantId, standard: true };
  const created = await ensureSyncSchedule(client, {
    kind: 'credit-memo',
    tenantId: h.tenantId,
    input,
    taskQueue: h.taskQueue,
    paused: true,
  });
  expect(created).toEqual({
    scheduleId: `netsuite-credit-memo-sync-${h.tenantId}`,
    exists: true,
    paused: true,
    created: true,
  });
  const again = await ensureSyncSchedule(client, {
    kind: 'credit-memo',
    tenantId: h.tenantId,
    input,
    taskQueue: h.taskQueue,
    paused: true,
  });
  expect(again.created).toBe(false);

  const d = (await describeSyncSchedule(client, 'credit-memo', h.tenantId))!;
  expect(d.spec.intervals).toEqual([expect.objectContaining({ every: 30 * 60 * 1000 })]);
  expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
  expect(d.state.paused).toBe(true);
  expect(d.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'syncNetSuiteCreditMemos',
    taskQueue: h.taskQueue,
    args: [input],
  });
  const action = d.action as { typedSearchAttributes?: { get(key: typeof IS_TENANT_ID): unknown } };
  expect(action.typedSearchAttributes?.get(IS_TENANT_ID)).toBe(h.tenantId);
});

test('pause and unpause', async () => {
  await unpauseSyncSchedule(client, 'credit-memo', h.tenantId, 'resumed by the test');
  expect((await describeSyncSchedule(client, 'credit-memo', h.tenantId))!.state).toMatchObject({
    paused: false,
    note: 'resumed by the test',
  });
  const paused = await pauseSyncSchedule(client, 'credit-memo', h.tenantId, 'paused by the test');
  expect(paused).toMatchObject({ exists: true, paused: true });
  expect((await describeSyncSchedule(client, 'credit-memo', h.tenantId))!.state).toMatchObject({
    paused: true,
    note: 'paused by the test',
  });
});

test('trigger runs the sync now on the worker (even while paused)', async () => {
  const before = (await describeSyncSchedule(client, 'credit-memo', h.tenantId))!.info.numActionsTaken;
  expect(await triggerSyncSchedule(client, 'credit-memo', h.tenantId)).toMatchObject({ exists: true });
  const d = await describeUntil(
    'credit-memo',
    (x) => x.info.numActionsTaken > before && x.info.recentActions.length > 0,
  );
  const run = d.info.recentActions[d.info.recentActions.length - 1]!.action.workflow;
  const result: SyncResult = await client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
  expect(result).toMatchObject({ created: 1, synced: 1, failed: 0 });
  expect(h.record(demo.creditMemos.standardEligible)[F.integrationStatus]).toBe('Sync Complete');
});

test('backfill runs the sync for a past period, and SKIP keeps its runs from overlapping', async () => {
  const before = (await describeSyncSchedule(client, 'credit-memo', h.tenantId))!.info;
  const end = new Date();
  const start = new Date(end.getTime() - 2 * 60 * 60 * 1000); // four 30-minute slots
  expect(await backfillSyncSchedule(client, 'credit-memo', h.tenantId, { start, end })).toMatchObject({ exists: true });
  const d = await describeUntil(
    'credit-memo',
    (x) => x.info.numActionsTaken > before.numActionsTaken && x.info.runningActions.length === 0,
  );
  // Every backfilled slot either ran or was skipped because a run was still going.
  const slots =
    d.info.numActionsTaken -
    before.numActionsTaken +
    (d.info.numActionsSkippedOverlap - before.numActionsSkippedOverlap);
  expect(slots).toBeGreaterThanOrEqual(4);
  const last = d.info.recentActions[d.info.recentActions.length - 1]!.action.workflow;
  const result: SyncResult = await client.workflow.getHandle(last.workflowId, last.firstExecutionRunId).result();
  expect(result).toMatchObject({ created: 0, failed: 0 });
  expect(h.adjustments(String(demo.creditMemos.standardEligible))).toHaveLength(1);
});

test('a missing schedule: trigger, backfill, pause and unpause say so instead of failing', async () => {
  const now = new Date();
  expect(await triggerSyncSchedule(client, 'payment', h.tenantId)).toMatchObject({ exists: false });
  expect(
    await backfillSyncSchedule(client, 'payment', h.tenantId, { start: new Date(now.getTime() - 3_600_000), end: now }),
  ).toMatchObject({
    exists: false,
  });
  expect(await pauseSyncSchedule(client, 'payment', h.tenantId, 'x')).toMatchObject({ exists: false });
  expect(await unpauseSyncSchedule(client, 'payment', h.tenantId, 'x')).toMatchObject({ exists: false });
});

test('delete', async () => {
  expect(await deleteSyncSchedule(client, 'credit-memo', h.tenantId)).toMatchObject({ exists: false });
  expect(await describeSyncSchedule(client, 'credit-memo', h.tenantId)).toBeNull();
  expect(await deleteSyncSchedule(client, 'credit-memo', h.tenantId)).toMatchObject({ exists: false });
});

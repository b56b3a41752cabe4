// The brake, the throttle and the breaker of a running credit memo migration (issue 14 §2), on the real Temporal
// server, against the Zuora emulator through our real client. Every bulk PUT passes a recording proxy, so the test
// sees when writes stop and how many are in flight. What each control took to take effect is printed (no timing
// assertions): "signal sent → last write seen" for the brakes, "update answered → new in-flight peak" for the
// throttle. Expectations come from the contract (docs/product.md) and docs/zuora.md §3 (each memo its own write).
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../src/activities';
import { RequestGate } from '../../src/http/request-gate';
import { MIGRATED_CREDIT_MEMO_REASON_CODE, progressQuery, type MigrationProgress } from '../../src/shared/migration';
import { MIGRATION_CONTROL_DEFINITIONS } from '../../src/shared/migration-control';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { ZuoraClient } from '../../src/zuora/client';
import { cliExpect } from '../helpers/cli';
import { recordHistory } from '../helpers/histories';
import { startPutRecorder, type PutRecorder } from '../helpers/put-recorder';
import { startStack, type Stack } from '../helpers/stack';
import { devServerEnv, testWorker, uniqueTaskQueue } from '../helpers/temporal';
import { temporalCli } from '../helpers/temporal-cli';

const { PENDING_ACTIVITY_STATE_PAUSED } = temporal.api.enums.v1.PendingActivityState;

let env: TestWorkflowEnvironment;
let stack: Stack;
let recorder: PutRecorder;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
const figures: string[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  stack = await startStack();
  recorder = await startPutRecorder(stack.zuoraEmulator.url);
  const settings = stack.zuoraEmulator.admin.config();
  const zuora = new ZuoraClient({
    baseUrl: recorder.url,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    gate: new RequestGate({ maxInFlight: 32 }),
    backoff: { baseMs: 20, maxMs: 500 },
  });
  taskQueue = uniqueTaskQueue('brake');
  const activities = createActivities({
    zuora,
    netsuite: stack.netsuite,
    notifier: stack.notifier,
    reports: stack.reports,
    temporal: env.client,
    tenantId: 'demo',
    taskQueue,
  });
  ({ worker } = await testWorker(env, activities, taskQueue));
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await recorder?.stop();
  await stack?.stop();
  await env?.teardown();
  if (figures.length > 0) process.stdout.write(`\nTime each control took to take effect:\n${figures.join('\n')}\n\n`);
});

beforeEach(() => {
  stack.zuoraEmulator.admin.reset();
  recorder.puts.length = 0;
});

// A failed test must not leave its migration writing into the next test's tenant.
const started: string[] = [];
afterEach(async () => {
  for (const id of started.splice(0)) {
    await env.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  }
});

const migrated = () =>
  [...stack.zuoraEmulator.state.creditMemos.values()].filter((m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE);
const notYes = () => migrated().filter((m) => m.transferredToAccounting !== 'Yes');
const writes = () => stack.zuoraEmulator.admin.counters().writesPerCreditMemo;
const figure = (what: string, ms: number) => figures.push(`  ${what.padEnd(62)} ${ms} ms`);

async function start(args: Partial<Parameters<typeof migrateCreditMemos>[0]>) {
  const workflowId = `migrate-brake-${randomUUID()}`;
  started.push(workflowId);
  return env.client.workflow.start(migrateCreditMemos, {
    taskQueue,
    workflowId,
    args: [{ tenantId: 'demo', ...args }],
  });
}

type Handle = Awaited<ReturnType<typeof start>>;

/** Asks the progress query until `ready` holds (the workflow moves on by itself). */
async function progressUntil(h: Handle, ready: (p: MigrationProgress) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const p = await h.query(progressQuery);
    if (ready(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pendingActivities(h: Handle) {
  return (await h.describe()).raw.pendingActivities ?? [];
}

/** PUTs that arrived after `t`: the writes a brake did not stop. */
const arrivedAfter = (t: number) => recorder.puts.filter((p) => p.arrivedAt >= t);
const lastArrival = () => recorder.puts.at(-1)?.arrivedAt ?? 0;

test('pause mid-chunk stops writes at batch granularity, setConcurrency moves the in-flight peak, resume finishes every memo exactly once', async () => {
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 4_000 });
  stack.zuoraEmulator.admin.configure({ latencyMs: 150, jitterMs: 0, faults: { errorRate: 0 }, burst429: 0 });
  const h = await start({ concurrencyBudget: 4 });
  await recorder.until(() => recorder.puts.length >= 6, 'the bulk update to be under way');
  expect(Math.max(...recorder.puts.map((p) => p.inFlightOnArrival))).toBe(4);

  // Beyond the tenant's limit: refused, naming the limit.
  await expect(
    h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.setConcurrency.update, { args: [{ by: 'ops', concurrency: 41 }] }),
  ).rejects.toMatchObject({
    cause: {
      message: expect.stringMatching(
        /concurrency 41 is above the tenant's concurrency limit 40 \(tenantConcurrencyLimit\)/,
      ),
    },
  });

  // Throttle down: from some arrival on, never more than 2 in flight (a run of 10 PUTs shows it held).
  const downAt = Date.now();
  await h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.setConcurrency.update, { args: [{ by: 'ops', concurrency: 2 }] });
  let settledAt = 0;
  await recorder.until(() => {
    const after = arrivedAfter(downAt);
    const lastOver = after.map((p) => p.inFlightOnArrival > 2).lastIndexOf(true);
    settledAt = after[lastOver + 1]?.arrivedAt ?? 0;
    return after.length - (lastOver + 1) >= 10;
  }, 'at most 2 PUTs in flight');
  figure('setConcurrency 4 → 2 (update sent → in-flight peak 2)', settledAt - downAt);

  // Throttle up: the peak rises to the new budget.
  const upAt = Date.now();
  await h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.setConcurrency.update, { args: [{ by: 'ops', concurrency: 6 }] });
  await recorder.until(() => arrivedAfter(upAt).some((p) => p.inFlightOnArrival === 6), '6 PUTs in flight');
  figure(
    'setConcurrency 2 → 6 (update sent → in-flight peak 6)',
    arrivedAfter(upAt).find((p) => p.inFlightOnArrival === 6)!.arrivedAt - upAt,
  );
  expect((await h.query(progressQuery)).control).toMatchObject({ concurrency: 6, concurrencyLimit: 40 });

  // Brake, from the temporal CLI: a signal by name with JSON input (the Web UI sends the same signal).
  const pauseAt = Date.now();
  const sent = await temporalCli([
    'workflow',
    'signal',
    '--workflow-id',
    h.workflowId,
    '--name',
    'pause',
    '--input',
    JSON.stringify({ by: 'ops@example.com', reason: 'brake test' }),
  ]);
  expect(sent.status).toBe(0);
  const signalledAt = Date.now();
  const paused = await progressUntil(h, (p) => p.phase === 'paused', 'the migration to pause');
  expect(await pendingActivities(h)).toEqual([]); // no activity runs during a pause
  expect(recorder.inFlight()).toBe(0);
  expect(paused.control?.paused).toMatchObject({ by: 'ops@example.com', reason: 'brake test', source: 'operator' });
  expect(paused.passRowsDone).toBeGreaterThan(0);
  expect(paused.passRowsDone).toBeLessThan(4_000); // mid-chunk: the one chunk holds all 4,000 rows
  figure('pause (temporal CLI started → last PUT arrived)', Math.max(0, lastArrival() - pauseAt));
  figure('pause (signal accepted → last PUT arrived)', Math.max(0, lastArrival() - signalledAt));
  figure('pause (signal accepted → workflow shows paused)', Date.now() - signalledAt);
  // The Web UI's details say it too (the SDK's built-in metadata query is what the UI reads).
  const meta = (await h.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  expect(meta.currentDetails).toMatch(/\| paused \| \*\*yes\*\*, by ops@example.* brake test — send `resume`/);
  expect(meta.currentDetails).toMatch(/\| ETA \(all passes\) \| \d+ s once resumed \|/);
  expect(meta.currentDetails).toMatch(/\| concurrency \| 6 \(tenant limit 40/);
  const putsAtPause = recorder.puts.length;
  // The chunk stopped exactly where it says: every row before it written once, none after it.
  const written = writes();
  expect(Object.keys(written)).toHaveLength(paused.passRowsDone);
  expect(putsAtPause * 50).toBe(paused.passRowsDone);

  // Still nothing written while it stays paused; the rest at a higher concurrency, resumed from our CLI.
  await h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.setConcurrency.update, {
    args: [{ by: 'ops', concurrency: 20 }],
  });
  expect(recorder.puts.length).toBe(putsAtPause);
  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  const resumeAt = Date.now();
  const resumed = await cliExpect(['--address', address, 'resume-migration', '--workflow-id', h.workflowId], {
    ...process.env,
    IS_OPERATOR: 'ana@example.com',
  });
  expect(resumed.stdout).toMatch(/^accepted: resumed/);
  const resumeAcceptedAt = Date.now();
  await recorder.until(() => recorder.puts.length > putsAtPause, 'writes after resume');
  const firstAfterResume = recorder.puts[putsAtPause]!.arrivedAt;
  figure('resume (is-upgrade started → first PUT arrived)', firstAfterResume - resumeAt);
  figure('resume (update accepted → first PUT arrived)', Math.max(0, firstAfterResume - resumeAcceptedAt));

  const result = await h.result();
  expect(result).toMatchObject({ verified: true, remaining: 0, stoppedBecause: 'verified' });
  expect(result.counters).toMatchObject({ totalFound: 4_000, updated: 4_000, failed: 0, passes: 1, resumes: 0 });
  expect(notYes()).toEqual([]);
  const all = writes();
  expect(Object.keys(all)).toHaveLength(4_000);
  expect(Math.max(...Object.values(all))).toBe(1); // none written twice
  expect(recorder.puts.length).toBe(4_000 / 50);
  const events = (await h.query(progressQuery)).control?.events ?? [];
  expect(events.map((e) => [e.message, e.by, e.outcome])).toEqual([
    ['setConcurrency', 'ops', 'accepted'],
    ['setConcurrency', 'ops', 'accepted'],
    ['pause', 'ops@example.com', 'accepted'],
    ['setConcurrency', 'ops', 'accepted'],
    ['resume', 'ana@example.com', 'accepted'],
  ]);
  await recordHistory(h, 'migrate-paused-throttled-resumed');
});

test('`temporal activity pause` is an emergency brake: writes stop, and `unpause` resumes without writing any memo twice', async () => {
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 4_000 });
  stack.zuoraEmulator.admin.configure({ latencyMs: 150, jitterMs: 0, faults: { errorRate: 0 }, burst429: 0 });
  const h = await start({ concurrencyBudget: 4 });
  await recorder.until(() => recorder.puts.length >= 8, 'the bulk update to be under way');
  const [chunk] = await pendingActivities(h);
  expect(chunk?.activityType?.name).toBe('updateCreditMemoRows');

  const pauseAt = Date.now();
  const r = await temporalCli([
    'activity',
    'pause',
    '--workflow-id',
    h.workflowId,
    '--activity-id',
    chunk!.activityId!,
  ]);
  expect(r.status).toBe(0);
  const acceptedAt = Date.now();
  // The attempt sees the pause at its next heartbeat, lets its batches in flight finish and fails; the server holds
  // the retry until unpause.
  const deadline = Date.now() + 30_000;
  while ((await pendingActivities(h))[0]?.state !== PENDING_ACTIVITY_STATE_PAUSED) {
    if (Date.now() > deadline) throw new Error('the activity never reached PAUSED');
    await new Promise((res) => setTimeout(res, 50));
  }
  const stoppedAt = Date.now();
  expect(recorder.inFlight()).toBe(0);
  const putsAtPause = recorder.puts.length;
  expect(putsAtPause * 50).toBeLessThan(4_000);
  figure('activity pause (temporal CLI started → last PUT arrived)', Math.max(0, lastArrival() - pauseAt));
  figure('activity pause (pause accepted → last PUT arrived)', Math.max(0, lastArrival() - acceptedAt));
  figure('activity pause (pause accepted → activity PAUSED)', stoppedAt - acceptedAt);
  expect((await h.query(progressQuery)).phase).toBe('updating'); // the workflow does not know: its activity waits

  expect((await pendingActivities(h))[0]?.state).toBe(PENDING_ACTIVITY_STATE_PAUSED);
  expect(recorder.puts.length).toBe(putsAtPause);
  // The rest at a higher concurrency: the retried attempt reads it like any chunk.
  await h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.setConcurrency.update, {
    args: [{ by: 'ops', concurrency: 20 }],
  });
  const u = await temporalCli([
    'activity',
    'unpause',
    '--workflow-id',
    h.workflowId,
    '--activity-id',
    chunk!.activityId!,
  ]);
  expect(u.status).toBe(0);
  const unpausedAt = Date.now();
  await recorder.until(() => recorder.puts.length > putsAtPause, 'writes after unpause');
  figure('activity unpause (accepted → first PUT, after a fresh query)', lastArrival() - unpausedAt);

  const result = await h.result();
  expect(result).toMatchObject({ verified: true, remaining: 0 });
  expect(result.counters.updated).toBe(4_000);
  expect(notYes()).toEqual([]);
  const all = writes();
  expect(Object.keys(all)).toHaveLength(4_000);
  expect(Math.max(...Object.values(all))).toBe(1); // the retry resumed from a fresh query of what is left
});

test('the breaker pauses the migration on a refusal rate over its threshold, notifies, waits, and goes on after resume', async () => {
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 1_500, cancelledShare: 0.3 });
  stack.zuoraEmulator.admin.configure({ latencyMs: 20, jitterMs: 0, faults: { errorRate: 0 }, burst429: 0 });
  const cancelled = migrated().filter((m) => m.status === 'Cancelled');
  expect(cancelled.length).toBeGreaterThan(300);
  const sentBefore = stack.notifier.sent.length;
  const h = await start({ concurrencyBudget: 2 });

  const tripped = await progressUntil(h, (p) => p.phase === 'paused', 'the breaker to trip');
  expect(tripped.control?.paused).toMatchObject({ by: 'breaker', source: 'breaker' });
  expect(tripped.control?.paused?.reason).toMatch(
    /of the last \d+ memos were refused by Zuora \(.*> breaker\.maxRefusedRate 10%\)/,
  );
  expect(tripped.control?.trips).toBe(1);
  expect(tripped.passRowsDone).toBeLessThan(1_500);
  expect(await pendingActivities(h)).toEqual([]);
  const notice = stack.notifier.sent.slice(sentBefore).find((n) => /breaker/.test(n.title));
  expect(notice).toMatchObject({ kind: 'waiting', workflowId: h.workflowId, tenantId: 'demo' });
  expect(notice!.text).toMatch(/resume/);
  const putsAtTrip = recorder.puts.length;
  // It waits for the operator: still paused, nothing written.
  expect((await h.query(progressQuery)).phase).toBe('paused');
  expect(recorder.puts.length).toBe(putsAtTrip);

  // The operator fixes the cause (the memos are no longer cancelled), then resumes.
  for (const m of cancelled) m.status = 'Posted';
  await h.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.resume.update, { args: [{ by: 'ops' }] });
  const result = await h.result();
  expect(result).toMatchObject({ verified: true, remaining: 0 });
  expect(notYes()).toEqual([]);
  expect(Math.max(...Object.values(writes()))).toBe(1);
  await recordHistory(h, 'migrate-breaker-tripped-resumed');
});

test('a later pass, of memos refused before, does not trip the breaker: the migration ends as no-progress', async () => {
  // 7% refused, under a 50% threshold in every window of the first pass; the second pass is those memos alone, all
  // refused again (100%), which would trip it.
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 2_000, cancelledShare: 0.07, seed: 11 });
  stack.zuoraEmulator.admin.configure({ latencyMs: 0, jitterMs: 0, faults: { errorRate: 0 }, burst429: 0 });
  const cancelled = migrated().filter((m) => m.status === 'Cancelled').length;
  expect(cancelled).toBeGreaterThan(100); // enough for the breaker to judge the second pass
  const h = await start({ concurrencyBudget: 4, breaker: { maxRefusedRate: 0.5 } });
  const end = await progressUntil(h, (p) => p.phase === 'done' || p.phase === 'paused', 'the migration to end');
  expect(end.control?.paused ?? null).toBeNull();
  expect(end.control?.trips).toBe(0);
  expect(await h.result()).toMatchObject({ stoppedBecause: 'no-progress', remaining: cancelled });
});

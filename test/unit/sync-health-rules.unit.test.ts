// The rules of syncs that fail loudly (src/activities/sync/health-rules.ts), without a server: each condition opens
// once per episode however many runs it lasts, and is resolved by the run that clears it (issue 14 point 6).
import { assessSyncHealth, openedNotification, type ScheduleView } from '../../src/activities/sync/health-rules';
import { emptySyncHealth, type SyncHealthCheck, type SyncHealthState } from '../../src/shared/sync-health';

const MIN = 60_000;
const base: SyncHealthCheck = {
  tenantId: 'acme',
  kind: 'credit-memo',
  workflowId: 'netsuite-credit-memo-sync-acme-run-2026-01-01T00:00:00Z',
  moment: 'start',
  at: '2026-01-01T10:00:00.000Z',
  dryRun: false,
  previousRunClosedAt: '2026-01-01T09:45:00.000Z',
  alertAfterSkippedRuns: 3,
};
const schedule = (skippedTotal: number): ScheduleView => ({ intervalMs: 30 * MIN, skippedTotal });
const end = (failed: number): Partial<SyncHealthCheck> => ({
  moment: 'end',
  outcome: { examined: 10, failed, failuresReport: failed ? 'reports/x/failures.jsonl' : null },
});

/** Runs the checks in order, from an empty state. */
function run(steps: Array<[Partial<SyncHealthCheck>, ScheduleView | null]>, scheduled = true): SyncHealthState {
  return steps.reduce(
    (s, [c, sch]) => assessSyncHealth(s, { ...base, ...c } as SyncHealthCheck, sch, scheduled),
    emptySyncHealth(),
  );
}

test('a partial run opens one episode; the next partial runs keep it; a clean run resolves it', () => {
  const s1 = run([[end(2), schedule(0)]]);
  expect(Object.keys(s1.open)).toEqual(['partial']);
  expect(s1.open.partial!.text).toContain('2 of 10 record(s) examined failed (report reports/x/failures.jsonl)');
  const told = { ...s1, open: { partial: { ...s1.open.partial!, notified: true } } };
  const s2 = assessSyncHealth(told, { ...base, ...end(1), at: '2026-01-01T10:30:00.000Z' }, schedule(0), true);
  expect(s2.open.partial).toEqual(told.open.partial); // the same episode, still told
  const s3 = assessSyncHealth(s2, { ...base, ...end(0), at: '2026-01-01T11:00:00.000Z' }, schedule(0), true);
  expect(s3.open).toEqual({});
  expect(s3.resolved).toEqual([expect.objectContaining({ condition: 'partial', at: '2026-01-01T11:00:00.000Z' })]);
});

test('a failed run opens "failed" with the reason; the next completed run resolves it', () => {
  const s = run([[{ moment: 'failed', error: 'NetSuite answered 401' }, schedule(0)]]);
  expect(s.open.failed!.text).toBe(`Run ${base.workflowId} failed: NetSuite answered 401.`);
  const after = assessSyncHealth(s, { ...base, ...end(0) }, schedule(0), true);
  expect(after.open.failed).toBeUndefined();
  expect(after.resolved.map((r) => r.condition)).toEqual(['failed']);
});

test('N consecutive skipped runs: counted from the last scheduled run that began; fewer than N says nothing', () => {
  // First scheduled run: the baseline is set, nothing is told (skips before it are history).
  expect(run([[{}, schedule(7)]]).open).toEqual({});
  const twoSkips = run([
    [{}, schedule(7)],
    [{}, schedule(9)],
  ]);
  expect(twoSkips.open.skipped).toBeUndefined();
  const threeSkips = run([
    [{}, schedule(7)],
    [{}, schedule(10)],
  ]);
  expect(threeSkips.open.skipped!.title).toBe('NetSuite credit memo sync: 3 scheduled runs skipped in a row');
  expect(threeSkips.skipBaseline).toBe(10);
});

test('a long run notices the skips while it runs, and a quick run after it resolves them', () => {
  const s = run([
    [{}, schedule(0)],
    [{ moment: 'progress' }, schedule(3)],
  ]);
  expect(s.open.skipped).toBeDefined();
  // It ends: still 3+ skips since it began, so the episode stays open; the next run starts and ends quickly.
  const ended = assessSyncHealth(s, { ...base, ...end(0) }, schedule(4), true);
  expect(ended.open.skipped).toBeDefined();
  const next = assessSyncHealth(ended, { ...base }, schedule(4), true);
  const nextEnded = assessSyncHealth(next, { ...base, ...end(0) }, schedule(4), true);
  expect(nextEnded.open.skipped).toBeUndefined();
  expect(nextEnded.resolved.map((r) => r.condition)).toEqual(['skipped']);
});

test("a run the schedule did not start (the upgrade's, a backfill) neither moves the skip baseline nor closes it", () => {
  const s = run([[{}, schedule(5)]]);
  const manual = assessSyncHealth(s, { ...base, workflowId: 'is-upgrade-acme-final' }, schedule(9), false);
  expect(manual.skipBaseline).toBe(5);
  expect(manual.open.skipped).toBeUndefined();
});

test('a watermark older than three intervals is stale; exactly three is not; a completed run refreshes it', () => {
  const at = (minutesAfterClose: number) =>
    new Date(Date.parse(base.previousRunClosedAt!) + minutesAfterClose * MIN).toISOString();
  expect(run([[{ at: at(90) }, schedule(0)]]).open.stale).toBeUndefined();
  const stale = run([[{ at: at(91) }, schedule(0)]]);
  expect(stale.open.stale!.text).toContain('91 min ago (the schedule runs every 30 min)');
  expect(assessSyncHealth(stale, { ...base, ...end(0), dryRun: true }, schedule(0), true).open.stale).toBeDefined();
  expect(assessSyncHealth(stale, { ...base, ...end(0) }, schedule(0), true).open.stale).toBeUndefined();
  // No schedule: no interval to measure against.
  expect(run([[{ at: at(1000) }, null]]).open.stale).toBeUndefined();
});

test("the notification's dedupe key names the tenant, the sync, the condition and the episode", () => {
  const s = run([[{ moment: 'failed', error: 'x' }, null]]);
  expect(openedNotification(base, 'failed', s.open.failed!).dedupeKey).toBe(`sync:acme:credit-memo:failed:${base.at}`);
});

// Issue 15 point 5 on the real dev server: a sustained flood of 10,000 rejected signals, with a few accepted messages
// among them. The upgrade keeps answering status and continues as new while the signals keep coming
// (CONTINUE_AS_NEW_UNDER_FLOOD); every rejected signal is in the whole audit log (the report store's file plus the
// status's newest entries, as `is-upgrade report` prints it), numbered 1..N once each; every accepted message is
// applied once; every continue-as-new carries at most CARRY_BYTES and every run stays far below the history limits
// (measured from history and printed); and the upgrade still proceeds after the flood.
import type { WorkflowHandle } from '@temporalio/client';
import { MESSAGE_DEFINITIONS, statusQuery, type AuditEntry, type UpgradeStatus } from '../../src/shared/upgrade';
import { deleteSyncSchedule } from '../../src/temporal/schedules';
import { CARRY_BYTES } from '../../src/workflows/upgrade/audit-export';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';
import { startUpgradeAtFreeze } from '../helpers/upgrade-at-freeze';
import { stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

const TENANT = 'audit-flood';
const suite = useWorkflowSuite({ queue: 'audit-flood', stack: { tenantId: TENANT } });
const BY = 'ana@example.com';
type ContinuedAsNew = {
  input?: { payloads?: { data?: Uint8Array | null }[] | null } | null;
  newExecutionRunId?: string | null;
};

// FLOOD_SIGNALS: fewer for a quick look.
const FLOOD = Number(process.env.FLOOD_SIGNALS ?? 10_000);
const BATCH = 100;
const signalOf = (name: keyof typeof MESSAGE_DEFINITIONS) => MESSAGE_DEFINITIONS[name].signal;
// A retry of a step that has not failed is rejected; each sender is named so that each one can be found again.
const flood = (i: number) => ({ by: `flood-${i}@example.com`, stepId: 'schedules.switch' as const });
/** Accepted messages sent inside the flood, each in the batch that starts at `at` (a fraction of the flood). */
const ACCEPTED = [
  { at: 0.1, name: 'pause', payload: { by: 'ops-a@example.com', reason: 'flood drill' }, outcome: 'accepted' },
  {
    at: 0.3,
    name: 'completeStep',
    payload: { by: 'ops-c@example.com', stepId: 'connector.oauth-client', data: { oauthClientId: 'flood-oauth-1' } },
    outcome: 'kept-for-later',
  },
  { at: 0.6, name: 'resume', payload: { by: 'ops-b@example.com' }, outcome: 'accepted' },
] as const;

test(`a sustained flood of ${FLOOD} rejected signals: continue-as-new under the flood, bounded carries, every signal in the audit log, the upgrade goes on`, async () => {
  const handle = await startUpgradeAtFreeze(suite, TENANT, BY);
  const before = (await handle.query(statusQuery)).auditLog!.recorded;
  const sent: { from: number; to: number }[] = [];
  const t0 = Date.now();
  // Batch after batch, each sent as soon as the one before is recorded: the next batch often arrives while the workflow
  // is continuing as new (the server then refuses the continue-as-new and delivers the batch to the same run again).
  // One workflow activation never holds thousands of signals: the SDK fails an activation that runs over 5 s, which
  // 2 shared cores under load reach.
  for (let from = 0; from < FLOOD; from += BATCH) {
    const to = Math.min(FLOOD, from + BATCH);
    const extra = ACCEPTED.filter((a) => Math.floor((a.at * FLOOD) / BATCH) * BATCH === from);
    await Promise.all([
      ...Array.from({ length: to - from }, (_, k) =>
        handle.signal(MESSAGE_DEFINITIONS.retryStep.signal, flood(from + k)),
      ),
      ...extra.map((a) => handle.signal(signalOf(a.name) as never, a.payload as never)),
    ]);
    sent.push({ from, to: to + extra.length });
    const recordedBy = before + sent.reduce((n, b) => n + (b.to - b.from), 0);
    await statusOnceBusyWorkerAnswers(handle, (x) => (x.auditLog?.recorded ?? 0) >= recordedBy, `batch ${from}`);
  }
  const total = sent.reduce((n, b) => n + (b.to - b.from), 0);
  const s = await statusOnceBusyWorkerAnswers(
    handle,
    (x) => (x.auditLog?.recorded ?? 0) >= before + total,
    'the flood to be recorded',
  );
  const sending = Date.now() - t0;
  // The upgrade still waits at its step, unpaused (the pause and the resume in the flood both applied, in order).
  expect(stepOf(s, 'prepare.freeze-negative-invoices').state).toBe('waiting');
  expect(s.paused).toBeNull();

  // The whole log: the report store's file, then the newest entries only the status has (what `is-upgrade report`
  // prints): every entry once, numbered 1, 2, …, and every rejected signal in it.
  const last = await statusOnceBusyWorkerAnswers(
    handle,
    (x) => x.auditLog!.recorded - x.auditLog!.exported <= x.audit.length && x.auditLog!.report !== null,
    'the audit log export',
  );
  const file = suite.stack.reports.readJsonLines(last.auditLog!.report!) as AuditEntry[];
  const whole = [...file, ...last.audit.filter((a) => a.seq! > last.auditLog!.exported)];
  expect(whole.map((e) => e.seq)).toEqual(Array.from({ length: last.auditLog!.recorded }, (_, i) => i + 1));
  const rejected = whole.filter((e) => e.outcome === 'rejected' && e.by?.startsWith('flood-'));
  expect(rejected).toHaveLength(FLOOD);
  const flooded = new Set(rejected.map((e) => e.by));
  expect(Array.from({ length: FLOOD }, (_, i) => flood(i).by).filter((by) => !flooded.has(by))).toEqual([]);
  // Each accepted message once, with its outcome.
  for (const a of ACCEPTED) {
    expect(whole.filter((e) => e.by === a.payload.by).map((e) => `${e.message}:${e.outcome}`)).toEqual([
      `${a.name}:${a.outcome}`,
    ]);
  }

  // Every run: its length, and for each that continued as new, the JSON size of what it carried.
  const carried: number[] = [];
  const lengths: number[] = [];
  for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
    const history = await suite.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
    const can: ContinuedAsNew | null | undefined =
      history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    if (!can) break;
    const args = can.input?.payloads ?? [];
    // JSON of the arguments: each one's JSON (json/plain payloads, no codec here), with "[", "," and "]".
    carried.push(args.reduce((n: number, p) => n + (p.data?.length ?? 0) + 1, 1));
    runId = can.newExecutionRunId ?? undefined;
  }
  // 10,000 signals are over 10,000 events: at least two continue-as-new happened under the flood.
  expect(carried.length).toBeGreaterThanOrEqual(Math.floor(FLOOD / 4_096));
  for (const bytes of carried) expect(bytes).toBeLessThanOrEqual(CARRY_BYTES);
  // Far below the server's limit of 51,200 events (docs/temporal.md): under its 10,240-event warning.
  for (const n of lengths) expect(n).toBeLessThan(10_240);

  // The kept completion went along every continue-as-new (sent again, it is a duplicate), and the upgrade goes on:
  // the step it waits at takes its completion.
  const kept = ACCEPTED[1];
  await expect(
    handle.executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, { args: [kept.payload] }),
  ).resolves.toMatchObject({ outcome: 'duplicate' });
  await expect(
    handle.executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, {
      args: [{ by: BY, stepId: 'prepare.freeze-negative-invoices' }],
    }),
  ).resolves.toMatchObject({ outcome: 'accepted' });
  const after = await waitForStep(handle, 'prepare.freeze-negative-invoices', 'done');
  expect(stepOf(after, 'prepare.freeze-negative-invoices').by).toBe(BY);
  console.log(
    `rejected-signal flood: ${FLOOD} signals (+${ACCEPTED.length} accepted) sent and recorded in ${sending} ms, ` +
      `${last.auditLog!.recorded} audit entries (${file.length} in the report store), ${carried.length} continue-as-new, ` +
      `carried ${carried.join(', ')} bytes (bound ${CARRY_BYTES}), run lengths ${lengths.join(', ')} events`,
  );
  // The first run, which continued as new under the flood: a replay fixture of CONTINUE_AS_NEW_UNDER_FLOOD.
  await recordHistory(handle, 'upgrade-continued-as-new-under-flood', handle.firstExecutionRunId);
  await handle.terminate('test done');
  // Here, not in afterAll: the suite's own afterAll may have closed the client by then.
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
}, 600_000);

/**
 * waitForStatus, but a query the worker is too busy to answer in time (the flood), or that comes while a workflow
 * task that timed out on the loaded machine is being retried, is asked again.
 */
async function statusOnceBusyWorkerAnswers(
  handle: WorkflowHandle,
  ready: (s: UpgradeStatus) => boolean,
  what: string,
): Promise<UpgradeStatus> {
  for (;;) {
    try {
      return await waitForStatus(handle, ready, what, 300_000);
    } catch (err) {
      const why = String((err as Error).cause ?? err);
      if (!/query timed out before a worker could process it|Workflow Task in failed state/.test(why)) throw err;
    }
  }
}

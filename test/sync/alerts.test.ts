// Syncs that fail loudly (issue 14 point 6, docs/web-ui.md §4), on the real Temporal server with the notifier's test
// sink: a partial run, a failed run, scheduled runs skipped in a row and a stale watermark are each told once per
// episode (not once per run) and resolved once; a channel that is down never fails the sync, and what it missed is
// told by the next run.
import { WorkflowFailedError } from '@temporalio/client';
import type { DemoTenant } from '../../emulators/netsuite/seed';
import type { Notification } from '../../src/notifier/notifier';
import { IntegrationStatus, ZuoraType } from '../../src/netsuite/fields';
import { deleteSyncSchedule, describeSyncSchedule, ensureSyncSchedule } from '../../src/temporal/schedules';
import { useDemoHarness, type Harness } from './harness';

let h: Harness;
let demo: DemoTenant;
useDemoHarness(
  (harness, tenant) => {
    h = harness;
    demo = tenant;
  },
  { once: true },
);

/** A standard memo of 300 fully applied to a Zuora invoice whose open balance in Zuora is 100: Zuora refuses it. */
function memoZuoraRefuses() {
  const account = h.netsuiteEmulator.admin.account;
  const invoiceZuoraId = '8a8aa0000000000000000000000000b7';
  const invoice = account.addInvoice({
    customer: demo.customers.acme,
    tranDate: '2025-01-10',
    total: 300,
    connector: {
      zuoraId: invoiceZuoraId,
      zuoraType: ZuoraType.invoice,
      origin: 'ZUORA',
      integrationStatus: IntegrationStatus.syncComplete,
      customerIdSales: 'A00000001',
    },
  });
  account.addCreditMemo({
    customer: demo.customers.acme,
    tranDate: '2025-01-11',
    total: 300,
    memo: 'credit 300',
    connector: { customerIdSales: 'A00000001', origin: 'NETSUITE' },
    applications: [{ invoice, amount: 300 }],
  });
  h.mirror();
  h.zuoraEmulator.state.invoices.get(invoiceZuoraId)!.Balance = 100;
}

const about = (condition: string) => (n: Notification) => n.dedupeKey.includes(`:${condition}:`);
const opened = (condition: string) => h.notifier.sent.filter((n) => about(condition)(n) && n.kind === 'failure');
const resolved = (condition: string) => h.notifier.sent.filter((n) => about(condition)(n) && n.kind === 'info');

/** Polls `ready` (the schedule and the worker move on by themselves); no fixed waits. */
async function until<T>(what: string, ready: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await ready();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50)); // polling the condition
  }
}

test('a partial run is told once per episode; a channel that is down fails no sync and is caught up on', async () => {
  // A credit exceeding the invoice's open balance fails every run (documented-cases.test.ts): every run is partial.
  memoZuoraRefuses();
  h.notifier.down = true;
  const first = await h.creditMemos({ standard: true });
  expect(first.failed).toBeGreaterThan(0); // the run completed although the channel was down
  expect(h.notifier.sent).toEqual([]);

  h.notifier.down = false;
  const second = await h.creditMemos({ standard: true });
  expect(second.failed).toBeGreaterThan(0);
  const told = opened('partial');
  expect(told).toHaveLength(1); // two partial runs, one episode, told once (by the first check the channel was up)
  expect(told[0]!.title).toBe('NetSuite credit memo sync: records failed');
  expect(told[0]!.text).toMatch(/of \d+ record\(s\) examined failed/);
  expect(told[0]!.dedupeKey).toMatch(new RegExp(`^sync:${h.tenantId}:credit-memo:partial:`));
});

test('a failed run is told, and resolved by the next completed run', async () => {
  // NetSuite refuses the high-water-mark query once with a 400 (permanent): beginSync fails, so does the run.
  h.failNetSuite((_m, url, body) => /suiteql/.test(url) && body.includes('MAX(t.lastmodifieddate)'), 1, 400);
  await expect(h.creditMemos({})).rejects.toBeInstanceOf(WorkflowFailedError);
  expect(opened('failed')).toEqual([
    expect.objectContaining({ title: 'NetSuite credit memo sync: a run failed', text: expect.stringContaining('400') }),
  ]);
  await h.creditMemos({});
  expect(resolved('failed')).toHaveLength(1);
  expect(resolved('failed')[0]!.dedupeKey).toBe(`${opened('failed')[0]!.dedupeKey}:resolved`);
});

test('scheduled runs skipped in a row and a stale watermark: told once each, resolved once the runs flow again', async () => {
  const kind = 'credit-memo';
  await ensureSyncSchedule(h.env.client, {
    kind,
    tenantId: h.tenantId,
    interval: '1s',
    input: { tenantId: h.tenantId, alertAfterSkippedRuns: 3 },
    taskQueue: h.taskQueue,
  });
  try {
    const skipped = async () => {
      const d = await describeSyncSchedule(h.env.client, kind, h.tenantId);
      return d!.info.numActionsSkippedOverlap + d!.info.numActionsMissedCatchupWindow;
    };
    // A scheduled run completes; then no worker: the next run waits and the schedule skips the ticks after it.
    await until('a scheduled run to complete', async () => {
      for await (const _ of h.env.client.workflow.list({
        query: `WorkflowId STARTS_WITH 'netsuite-credit-memo-sync-${h.tenantId}-run' AND ExecutionStatus = 'Completed'`,
      }))
        return true;
      return undefined;
    });
    await h.stopWorker();
    const before = await skipped();
    await until('4 skipped runs', async () => ((await skipped()) >= before + 4 ? true : undefined));
    await h.startWorker();
    await until('the skipped and stale episodes to be resolved', () =>
      resolved('skipped').length > 0 && resolved('stale').length > 0 ? true : undefined,
    );
  } finally {
    await deleteSyncSchedule(h.env.client, kind, h.tenantId);
  }
  const first = opened('skipped')[0]!;
  expect(first.title).toMatch(/^NetSuite credit memo sync: \d+ scheduled runs skipped in a row$/);
  expect(resolved('skipped')[0]!.dedupeKey).toBe(`${first.dedupeKey}:resolved`);
  expect(opened('stale')[0]!.text).toMatch(/the schedule runs every 0 min/);
  // One notification per episode: no dedupe key twice, however many runs the episode lasted.
  const keys = h.notifier.sent.map((n) => n.dedupeKey);
  expect(new Set(keys).size).toBe(keys.length);
});

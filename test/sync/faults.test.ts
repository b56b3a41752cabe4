// Faults: the worker killed mid-sync (twice), and 10% injected 5xx plus 429 bursts on both emulators. The end state
// must be the one a clean run reaches, with exactly one Zuora adjustment per ReferenceId and one payment per record.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../helpers/temporal';
import { duplicateReferenceIds, F, startHarness, type Harness } from './harness';

jest.setTimeout(300_000);

let env: TestWorkflowEnvironment;
const harnesses: Harness[] = [];

beforeAll(async () => {
  env = await devServerEnv();
});
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});
afterAll(async () => {
  await env?.teardown();
});

async function harness(o: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness(env, o);
  harnesses.push(h);
  return h;
}

/** The same tenant every time: the demo cases plus generated standard, negative balance memos and payments. */
function seed(h: Harness, counts: { standard: number; negative: number; payments: number }) {
  h.netsuiteEmulator.admin.seed({ demo: true });
  h.netsuiteEmulator.admin.seed({
    standardCreditMemos: counts.standard,
    negativeBalanceCreditMemos: counts.negative,
    payments: counts.payments,
    startDate: '2025-03-01',
    seed: 7,
  });
  h.mirror();
}

/** What the books look like: per NetSuite record its status, per ReferenceId the adjustments, per record the payments. */
function endState(h: Harness) {
  const records = h.netsuiteEmulator.admin
    .query(
      `SELECT id, type, ${F.integrationStatus} AS status FROM "transaction" WHERE type IN ('CustCred', 'CustPymt') ORDER BY id`,
    )
    .map((r) => `${String(r.id)}:${String(r.type)}:${String(r.status ?? '')}`);
  const adjustments = [...h.zuoraEmulator.state.invoiceAdjustments.values()]
    .map((a) => `${String(a.ReferenceId)}:${String(a.Type)}:${String(a.Amount)}:${String(a.InvoiceId)}`)
    .sort();
  const payments = [...h.zuoraEmulator.state.payments.values()]
    .map((p) => `${String(p.IntegrationId__NS)}:${String(p.Amount)}:${String(p.AppliedAmount)}`)
    .sort();
  const balances = [...h.zuoraEmulator.state.invoices.values()].map((i) => `${i.Id}:${String(i.Balance)}`).sort();
  return { records, adjustments, payments, balances };
}

async function syncAll(h: Harness) {
  const creditMemos = await h.creditMemos({ standard: true, negativeBalance: true, pageSize: 100 });
  const payments = await h.payments({ pageSize: 100 });
  return { creditMemos, payments };
}

// Zuora's 429s carry Retry-After: 1 and pause the whole tenant, so each one in a row costs a second; NetSuite's have
// none and are backed off in milliseconds here. Zuora's bursts are 3 long, NetSuite's 10: both are met and waited out.
const ZUORA_BURST = 3;
const NETSUITE_BURST = 10;

test('10% injected 5xx and 429 bursts on both emulators: the same end state as a clean run, no duplicates', async () => {
  const counts = { standard: 300, negative: 40, payments: 150 };
  const clean = await harness();
  seed(clean, counts);
  const cleanResults = await syncAll(clean);
  expect(cleanResults.creditMemos.synced).toBe(2 + 300 + 40);
  expect(cleanResults.payments.synced).toBe(3 + 150);

  const faulty = await harness({
    netsuiteLimits: { faults: { errorRate: 0.1 }, burst429: NETSUITE_BURST },
    zuoraLimits: { faults: { errorRate: 0.1 }, burst429: ZUORA_BURST },
  });
  seed(faulty, counts);
  // More 429 bursts while the syncs run, each armed when NetSuite has taken another 150 writes.
  let stop = false;
  const bursts = (async () => {
    for (let next = 150; !stop;) {
      if (faulty.netsuiteEmulator.admin.counters().patches >= next) {
        faulty.netsuiteEmulator.admin.configure({ burst429: NETSUITE_BURST });
        faulty.zuoraEmulator.admin.configure({ burst429: ZUORA_BURST });
        next += 150;
      }
      await new Promise((resolve) => setTimeout(resolve, 10)); // polling the counters, not a fixed wait
    }
  })();
  const faultyResults = await syncAll(faulty).finally(() => {
    stop = true;
  });
  await bursts;

  const nsLimits = faulty.netsuiteEmulator.admin.counters().limits;
  const zLimits = faulty.zuoraEmulator.admin.counters().limits;
  expect(nsLimits.injectedErrors).toBeGreaterThan(0);
  expect(nsLimits.burst429Sent).toBeGreaterThan(NETSUITE_BURST);
  expect(zLimits.injectedErrors).toBeGreaterThan(0);
  expect(zLimits.burst429Sent).toBeGreaterThan(0);

  expect(endState(faulty)).toEqual(endState(clean));
  expect(duplicateReferenceIds(faulty)).toEqual([]);
  expect(Math.max(...Object.values(faulty.zuoraEmulator.admin.counters().paymentsPerIdempotencyKey))).toBe(1);
  expect(faultyResults.creditMemos.failed).toBe(0);
  expect(faultyResults.payments.failed).toBe(0);
});

test('the worker killed mid-sync and restarted, twice: zero duplicate adjustments, zero missed', async () => {
  const h = await harness({ netsuiteLimits: { latencyMs: 5 } });
  h.netsuiteEmulator.admin.seed({
    standardCreditMemos: 1_200,
    negativeBalanceCreditMemos: 100,
    startDate: '2025-03-01',
  });
  h.mirror();
  const expectedReferenceIds = 1_200 + 100 * 3;

  const result = h.creditMemos({ standard: true, negativeBalance: true, pageSize: 100 });
  const created = () => Object.keys(h.zuoraEmulator.admin.counters().adjustmentsPerReferenceId).length;
  for (const threshold of [300, 800]) {
    await waitUntil(() => created() >= threshold);
    await h.stopWorker(); // the running chunk is cancelled mid-page; its retry resumes on the next worker
    expect(created()).toBeLessThan(expectedReferenceIds);
    await h.startWorker();
  }
  const r = await result;

  expect(duplicateReferenceIds(h)).toEqual([]);
  expect(created()).toBe(expectedReferenceIds);
  const notSynced = h.netsuiteEmulator.admin.query(
    `SELECT id FROM "transaction" WHERE type = 'CustCred' AND (${F.integrationStatus} IS NULL OR ${F.integrationStatus} <> 'Sync Complete')`,
  );
  expect(notSynced).toEqual([]);
  expect(r.failed).toBe(0);
  // Pages redone after a kill find their memos already Sync Complete, or their adjustments already in Zuora.
  expect(r.synced + (r.skippedByReason['already-sync-complete'] ?? 0)).toBe(1_300);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10)); // polling, bounded by the test timeout
}

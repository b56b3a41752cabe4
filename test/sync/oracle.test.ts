// Issue 12 point 7: an independent oracle for the NetSuite → Zuora credit memo sync. fast-check generates many small,
// independent worlds (one customer each) into one emulated tenant; the REAL syncNetSuiteCreditMemos runs three times
// over all of them on the real Temporal server, through our real clients, with mutations between runs; after each
// run every Zuora posting and every NetSuite write is compared with ./oracle/rules.ts, written from the documents.
// ORACLE_SEED=<n> reproduces a run, ORACLE_WORLDS=<n> changes how many worlds.
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../helpers/temporal';
import { F, startHarness, type Harness } from './harness';
import { adoptRun, checkRun, type ObservedAdjustment } from './oracle/check';
import { decide, refusal, type OSettings } from './oracle/rules';
import { buildWorld, CUTOVER, mirrorWorlds, Model, mutate, worldArb, type BuiltWorld } from './oracle/world';

const SEED = Number(process.env.ORACLE_SEED ?? 20261130);
const WORLDS = Number(process.env.ORACLE_WORLDS ?? 240);
const RUNS = 3;
const settings: OSettings = { standard: true, negativeBalance: true, cutoverDate: CUTOVER };

let env: TestWorkflowEnvironment;
let h: Harness;
const writes = new Map<number, Record<string, unknown>[]>();
/** NetSuite writes to anything but a credit memo: the credit memo sync has no reason to make any. */
const otherWrites: string[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  h = await startHarness(env, {
    observeNetSuite: (method, url, body) => {
      if (method === 'GET' || /\/query\/v1\/suiteql/.test(url)) return;
      const m = /\/record\/v1\/creditMemo\/(\d+)$/.exec(url);
      if (method !== 'PATCH' || !m) return void otherWrites.push(`${method} ${url}`);
      const id = Number(m[1]);
      writes.set(id, [...(writes.get(id) ?? []), JSON.parse(body) as Record<string, unknown>]);
    },
  });
});
afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

test(`${WORLDS} generated worlds, ${RUNS} sync runs each: every posting and write-back as the documented rules say`, async () => {
  const started = Date.now();
  process.stdout.write(`sync oracle: seed ${SEED} (ORACLE_SEED=${SEED} reproduces), ${WORLDS} worlds\n`);
  const [specs] = fc.sample(fc.array(worldArb, { minLength: WORLDS, maxLength: WORLDS }), { seed: SEED, numRuns: 1 });
  const model = new Model();
  const tag = h.tenantId;
  const worlds: BuiltWorld[] = specs!.map((spec, i) => buildWorld(h, model, i, spec, tag));
  mirrorWorlds(h, model);
  const known = new Set<string>();

  // Crashed runs: a memo left "Creating Invoice Adjustment" with its first posting already in Zuora.
  for (const w of worlds) {
    for (const [j, id] of w.memoIds.entries()) {
      const d = decide(model.memos.get(id)!, model.invoices, settings);
      if (!w.spec.memos[j]!.crashed || !d.eligible) continue;
      const p = d.postings[0]!;
      const target = model.zuoraInvoices.get(p.InvoiceId);
      if (refusal(p, target, target?.balance ?? 0)) continue;
      const { id: adjustmentId } = await h.zuora.createInvoiceAdjustment({ ...p, TransferredToAccounting: 'Yes' });
      known.add(adjustmentId);
      model.adjustments.set(adjustmentId, p);
      target!.balance += p.Type === 'Credit' ? -p.Amount : p.Amount;
    }
  }

  const worldMemos = new Map(worlds.map((w) => [w.index, w.memoIds]));
  const problems: string[] = [];
  const history = new Map<number, string[]>();
  const syncStarted = Date.now();
  const stats: Record<string, number> = {};
  const mutationCounts = (hs: Map<number, string[]>) => {
    const out: Record<string, number> = {};
    for (const list of hs.values()) for (const m of list) out[m.split(' ')[3]!] = (out[m.split(' ')[3]!] ?? 0) + 1;
    return out;
  };
  for (let run = 0; run < RUNS; run++) {
    if (run > 0) {
      for (const w of worlds) {
        for (const m of w.spec.mutations[run - 1] ?? []) {
          const done = mutate(h, model, w, m, tag);
          if (done) history.set(w.index, [...(history.get(w.index) ?? []), `before run ${run + 1}: ${done}`]);
        }
      }
    }
    writes.clear();
    const workflowId = `cm-oracle-${tag}-${run}`;
    const result = await h.creditMemos(settings, workflowId);
    await h.visible(workflowId);
    const created = [...h.zuoraEmulator.state.invoiceAdjustments.values()]
      .filter((a) => !known.has(a.Id))
      .map((a) => a as unknown as ObservedAdjustment);
    for (const a of created) known.add(a.Id);
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const seen = {
      created,
      writes,
      memoFields: (id: number) => {
        const r = h.record(id);
        return { status: text(r[F.integrationStatus]), zuoraId: text(r[F.zuoraId]) };
      },
      zuoraBalance: (id: string) => Number(h.zuoraEmulator.state.invoices.get(id)?.Balance),
      reconciled: new Set(
        result.reports.reconciliation
          ? h.reports.readJsonLines(result.reports.reconciliation).map((r) => Number(r.id))
          : [],
      ),
    };
    const options = { statusField: F.integrationStatus };
    for (const p of checkRun(model, worldMemos, settings, seen, options, stats)) problems.push(`run ${run + 1}: ${p}`);
    for (const w of otherWrites.splice(0)) problems.push(`run ${run + 1}: NetSuite write outside credit memos: ${w}`);
    adoptRun(model, worldMemos, seen);
  }
  const syncSeconds = (Date.now() - syncStarted) / 1000;
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `sync oracle: ${WORLDS} worlds, ${model.memos.size} memos, ${RUNS} runs in ${seconds.toFixed(1)} s ` +
      `(syncs and checks ${syncSeconds.toFixed(1)} s)\n` +
      `sync oracle: cases ${JSON.stringify(Object.fromEntries(Object.entries(stats).sort()))}\n` +
      `sync oracle: mutations ${JSON.stringify(mutationCounts(history))}\n`,
  );

  // On a disagreement, print the worlds involved (spec + mutations) so the case can be read and reproduced.
  const involved = new Set([...problems.join('\n').matchAll(/world (\d+)/g)].map((m) => Number(m[1])));
  const details = [...involved]
    .slice(0, 5)
    .map((i) => `world ${i}: ${JSON.stringify(worlds[i]!.spec)} ${JSON.stringify(history.get(i) ?? [])}`);
  expect({ seed: SEED, problems: problems.slice(0, 40), details }).toEqual({ seed: SEED, problems: [], details: [] });
});

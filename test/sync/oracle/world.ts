// Small, independent NetSuite + Zuora worlds for the oracle test: their generators (fast-check), how one is built in
// both emulators, and the mutations between runs. The oracle's own model of each world (`Model`) is kept from the
// specs here, never read back from the code under test.
import fc from 'fast-check';
import { F, type Harness } from '../harness';
import { STATUS, TYPE, type OInvoice, type OMemo, type OZuoraInvoice } from './rules';

export const CUTOVER = '2025-06-01';

type InvoiceKind = 'zuora' | 'pending' | 'native' | 'debitMemo';
export type InvoiceSpec = { kind: InvoiceKind; total: number; dateOffset: number; zuoraCut: boolean };
export type MemoSpec = {
  zuoraType: string | null;
  total: number;
  dateOffset: number;
  hasCustomer: boolean;
  status: string | null;
  hasZuoraId: boolean;
  text: string | null;
  plan: 'full' | 'partial' | 'none';
  targets: number[];
  /** Status Creating Invoice Adjustment with some of its postings already in Zuora (a crashed run). */
  crashed: boolean;
};
export type MutationSpec = {
  kind: 'unapply' | 'unapply-one' | 'apply' | 'reapply' | 'edit' | 'reach-zuora' | 'resync';
  memo: number;
  invoice: number;
  dateOffset: number;
};
export type WorldSpec = { invoices: InvoiceSpec[]; memos: MemoSpec[]; mutations: MutationSpec[][] };

// Days from the cutover: most on or after it, some the day before.
const dateOffset = fc.constantFrom(-1, 0, 0, 1, 1, 5);
const invoiceArb: fc.Arbitrary<InvoiceSpec> = fc.record({
  kind: fc.constantFrom<InvoiceKind>('zuora', 'zuora', 'zuora', 'zuora', 'pending', 'native', 'native', 'debitMemo'),
  total: fc.integer({ min: 50, max: 600 }),
  dateOffset: fc.constantFrom(-30, -30, -30, -30, -30, -2, 0, 2),
  // A Zuora balance already lower than NetSuite's amount due (credited in Zuora before): contention on the balance.
  zuoraCut: fc.constantFrom(false, false, false, true),
});
const memoArb = (invoices: number): fc.Arbitrary<MemoSpec> =>
  fc.record({
    // prettier-ignore
    zuoraType: fc.constantFrom<string | null>(
      null, null, null, null, null, '', TYPE.negativeInvoice, TYPE.negativeInvoice, TYPE.negativeInvoice, TYPE.invoice,
      TYPE.debitMemo,
    ),
    total: fc.integer({ min: 10, max: 300 }),
    dateOffset,
    hasCustomer: fc.constantFrom(true, true, true, true, true, true, true, true, true, false),
    status: fc.constantFrom<string | null>(
      null,
      null,
      null,
      null,
      null,
      null,
      '',
      STATUS.error,
      STATUS.syncComplete,
      STATUS.creating,
      STATUS.error,
      STATUS.ignore,
    ),
    hasZuoraId: fc.constantFrom(true, true, true, false),
    text: fc.constantFrom<string | null>(null, 'credit', 'goodwill credit'),
    plan: fc.constantFrom<MemoSpec['plan']>('full', 'full', 'full', 'partial', 'none'),
    targets: fc.uniqueArray(fc.integer({ min: 0, max: invoices - 1 }), {
      minLength: 1,
      maxLength: Math.min(2, invoices),
    }),
    crashed: fc.boolean(),
  });
const mutationArb = (invoices: number, memos: number): fc.Arbitrary<MutationSpec> =>
  fc.record({
    kind: fc.constantFrom<MutationSpec['kind']>(
      'unapply',
      'unapply-one',
      'apply',
      'reapply',
      'edit',
      'reach-zuora',
      'resync',
    ),
    memo: fc.integer({ min: 0, max: memos - 1 }),
    invoice: fc.integer({ min: 0, max: invoices - 1 }),
    dateOffset,
  });

export const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({ invoices: fc.integer({ min: 1, max: 3 }), memos: fc.integer({ min: 1, max: 3 }) })
  .chain(({ invoices, memos }) =>
    fc.record({
      invoices: fc.array(invoiceArb, { minLength: invoices, maxLength: invoices }),
      memos: fc.array(memoArb(invoices), { minLength: memos, maxLength: memos }),
      mutations: fc.array(fc.array(mutationArb(invoices, memos), { maxLength: 2 }), { minLength: 2, maxLength: 2 }),
    }),
  );

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The oracle's model of NetSuite and Zuora (all worlds), kept from the specs and the checked runs. */
export class Model {
  readonly invoices = new Map<number, OInvoice & { total: number; date: string; world: number }>();
  readonly memos = new Map<number, OMemo & { world: number }>();
  readonly zuoraInvoices = new Map<string, OZuoraInvoice>();
  /** Live (not cancelled) adjustments by id. */
  readonly adjustments = new Map<string, { Type: string; Amount: number; InvoiceId: string; ReferenceId: string }>();
  /** Memos modified since the last run (by the world's set-up, a mutation, or the last run's write-back). */
  readonly touched = new Set<number>();

  invoiceRemaining(id: number): number {
    const inv = this.invoices.get(id)!;
    let applied = 0;
    for (const m of this.memos.values()) for (const a of m.applications) if (a.invoice === id) applied += a.amount;
    return inv.total - applied;
  }
  memoUnused(memo: OMemo): number {
    return memo.total - memo.applications.reduce((s, a) => s + a.amount, 0);
  }
  liveByReference(ref: string): string[] {
    return [...this.adjustments.entries()].filter(([, a]) => a.ReferenceId === ref).map(([id]) => id);
  }
}

export type BuiltWorld = { index: number; spec: WorldSpec; invoiceIds: number[]; memoIds: number[] };

let modifiedClock = Date.UTC(2025, 6, 1);
/** Old lastmodifieddates (set-up happened before the syncs ran): only what changes afterwards is newer. */
const oldStamp = () => new Date((modifiedClock += 1000));

export function buildWorld(h: Harness, model: Model, index: number, spec: WorldSpec, tag: string): BuiltWorld {
  const account = h.netsuiteEmulator.admin.account;
  const zuoraAccount = `A-${tag}-${index}`;
  const customer = account.addCustomer({ name: `World ${index}`, zuoraCustomerId: zuoraAccount });
  const invoiceIds = spec.invoices.map((inv, i) => {
    const date = addDays(CUTOVER, inv.dateOffset);
    const zuoraId =
      inv.kind === 'zuora' ? `ZINV-${tag}-${index}-${i}` : inv.kind === 'debitMemo' ? `ZDM-${tag}-${index}-${i}` : null;
    const zuoraType =
      inv.kind === 'zuora' || inv.kind === 'pending' ? TYPE.invoice : inv.kind === 'debitMemo' ? TYPE.debitMemo : null;
    const id = account.addInvoice({
      customer,
      tranDate: date,
      total: inv.total,
      lastModified: oldStamp(),
      connector:
        inv.kind === 'native'
          ? {}
          : {
              zuoraId,
              zuoraType,
              origin: 'ZUORA',
              integrationStatus: STATUS.syncComplete,
              customerIdSales: zuoraAccount,
            },
    });
    model.invoices.set(id, { id, tranId: `INV${id}`, zuoraType, zuoraId, total: inv.total, date, world: index });
    if (inv.kind === 'zuora') {
      const cut = inv.zuoraCut ? Math.floor(inv.total * 0.7) : 0;
      model.zuoraInvoices.set(zuoraId!, { id: zuoraId!, date, balance: inv.total - cut, posted: true });
    }
    return id;
  });
  const memoIds = spec.memos.map((m, j) => {
    const date = addDays(CUTOVER, m.dateOffset);
    const negative = m.zuoraType === TYPE.negativeInvoice;
    const zuoraId = negative
      ? m.hasZuoraId
        ? `ZNEG-${tag}-${index}-${j}`
        : null
      : m.status === STATUS.syncComplete
        ? `ZADJ-OLD-${tag}-${index}-${j}`
        : null;
    // Applications as NetSuite would allow them: never more than the memo's unused or the invoice's amount due.
    const applications: { invoice: number; amount: number }[] = [];
    let unused = m.total;
    const targets = m.targets.filter((t) => t < invoiceIds.length);
    for (const [k, t] of targets.entries()) {
      if (m.plan === 'none' || (m.plan === 'partial' && k > 0)) break;
      const invoice = invoiceIds[t]!;
      const room = Math.min(unused, model.invoiceRemaining(invoice));
      // Fully applied across two invoices: split, so a Zuora invoice's applied amount is not the memo's total.
      const split = m.plan === 'full' && k === 0 && targets.length > 1;
      const amount = m.plan === 'partial' || split ? Math.floor(room / 2) : room;
      if (amount <= 0) continue;
      applications.push({ invoice, amount });
      unused -= amount;
    }
    const stamp = oldStamp();
    const id = account.addCreditMemo({
      customer,
      tranDate: date,
      total: m.total,
      memo: m.text,
      lastModified: stamp,
      connector: {
        customerIdSales: m.hasCustomer ? zuoraAccount : null,
        origin: negative ? 'ZUORA' : 'NETSUITE',
        zuoraType: m.zuoraType,
        integrationStatus: m.crashed ? STATUS.creating : m.status,
        zuoraId,
      },
      applications,
    });
    model.memos.set(id, {
      id,
      tranId: `CM${id}`,
      tranDate: date,
      memo: m.text,
      total: m.total,
      customerIdSales: m.hasCustomer ? zuoraAccount : null,
      integrationStatus: m.crashed ? STATUS.creating : m.status,
      zuoraType: m.zuoraType,
      zuoraId,
      applications,
      world: index,
    });
    model.touched.add(id);
    if (negative && zuoraId) model.zuoraInvoices.set(zuoraId, { id: zuoraId, date, balance: -m.total, posted: true });
    return id;
  });
  return { index, spec, invoiceIds, memoIds };
}

/** After every world is in NetSuite: the Zuora side, as the connector left it (docs/zuora.md §7; linked-tenants.ts). */
export function mirrorWorlds(h: Harness, model: Model): void {
  h.mirror();
  for (const [id, inv] of model.zuoraInvoices) h.zuoraEmulator.state.invoices.get(id)!.Balance = inv.balance;
}

/** Applies one mutation to NetSuite/Zuora and to the model alike; infeasible mutations are dropped. */
export function mutate(h: Harness, model: Model, w: BuiltWorld, m: MutationSpec, tag: string): string | null {
  const account = h.netsuiteEmulator.admin.account;
  const memoId = w.memoIds[m.memo]!;
  const invoiceId = w.invoiceIds[m.invoice]!;
  const memo = model.memos.get(memoId)!;
  const invoice = model.invoices.get(invoiceId)!;
  const applyMost = (): boolean => {
    if (memo.applications.some((a) => a.invoice === invoiceId)) return false;
    const amount = Math.min(model.memoUnused(memo), model.invoiceRemaining(invoiceId));
    if (amount <= 0) return false;
    account.applyCreditMemo(memoId, { invoice: invoiceId, amount });
    memo.applications.push({ invoice: invoiceId, amount });
    return true;
  };
  switch (m.kind) {
    case 'unapply':
      if (memo.applications.length === 0) return null;
      account.unapplyCreditMemo(memoId);
      memo.applications = [];
      break;
    case 'unapply-one':
      if (!memo.applications.some((a) => a.invoice === invoiceId)) return null;
      account.unapplyCreditMemo(memoId, invoiceId);
      memo.applications = memo.applications.filter((a) => a.invoice !== invoiceId);
      break;
    case 'apply':
      if (!applyMost()) return null;
      break;
    case 'reapply': {
      // Unapplied, then applied to another invoice.
      if (memo.applications.length === 0 || memo.applications.some((a) => a.invoice === invoiceId)) return null;
      account.unapplyCreditMemo(memoId);
      memo.applications = [];
      applyMost();
      break;
    }
    case 'edit': {
      // "later edits in NetSuite are not synced" (§7): date and memo text change after (or before) a sync.
      const date = addDays(CUTOVER, m.dateOffset);
      const text = `edited ${m.dateOffset}`;
      account.updateBodyFields(memoId, { memo: text, trandate: `${date}T00:00:00.000Z` });
      memo.tranDate = date;
      memo.memo = text;
      break;
    }
    case 'reach-zuora': {
      // The invoice reaches Zuora later: the connector writes its Zuora ID on the NetSuite invoice.
      if (invoice.zuoraType !== TYPE.invoice || invoice.zuoraId) return null;
      const zuoraId = `ZINV-${tag}-${w.index}-${m.invoice}-late`;
      account.updateBodyFields(invoiceId, { [F.zuoraId]: zuoraId });
      invoice.zuoraId = zuoraId;
      model.zuoraInvoices.set(zuoraId, { id: zuoraId, date: invoice.date, balance: invoice.total, posted: true });
      h.mirror();
      h.zuoraEmulator.state.invoices.get(zuoraId)!.Balance = invoice.total;
      return `${m.kind} invoice ${invoiceId}`;
    }
    case 'resync': {
      // §7: "To re-sync: cancel the Zuora adjustment and clear Integration Status and Zuora ID." (standard memos)
      if (memo.integrationStatus !== STATUS.syncComplete || memo.zuoraType || !memo.zuoraId) return null;
      const adj = model.adjustments.get(memo.zuoraId);
      if (!adj) return null;
      const zAdj = h.zuoraEmulator.state.invoiceAdjustments.get(memo.zuoraId)!;
      zAdj.Status = 'Canceled';
      const zInv = h.zuoraEmulator.state.invoices.get(adj.InvoiceId)!;
      zInv.Balance = Number(zInv.Balance) + adj.Amount;
      model.zuoraInvoices.get(adj.InvoiceId)!.balance += adj.Amount;
      model.adjustments.delete(memo.zuoraId);
      account.updateBodyFields(memoId, { [F.integrationStatus]: null, [F.zuoraId]: null });
      memo.integrationStatus = null;
      memo.zuoraId = null;
      break;
    }
  }
  model.touched.add(memoId);
  return `${m.kind} memo ${memoId}${m.kind.includes('apply') ? ` invoice ${invoiceId}` : ''}`;
}
